# The live sensor's libpcap capture (src/capture/libpcap.ts), built by native/build.mjs during
# `npm run build`. Links the system libpcap (libpcap-dev to build, libpcap0.8 to run).
{
  'targets': [
    {
      'target_name': 'auscult_pcap',
      'sources': ['capture.c'],
      'cflags': ['-std=gnu11', '-Wall', '-Wextra', '-Wno-unused-parameter', '-O2', '-fstack-protector-strong', '-D_FORTIFY_SOURCE=2'],
      'defines': ['NAPI_VERSION=8'],
      'libraries': ['-lpcap'],
    },
  ],
}
