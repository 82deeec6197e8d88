# auscult live sensor image. Build: docker build -t auscult .
# Prepare the capture interface on the host first (README "A passive host"): no IPv6, no ARP,
# no address, so the host itself never speaks on the SPAN port.
# Run (host network to see the SPAN interface; only the capabilities it needs):
#   docker run -d --name auscult --restart unless-stopped --network host --init \
#     --cap-drop ALL --cap-add NET_RAW --cap-add SETUID --cap-add SETGID --cap-add CHOWN \
#     -v /srv/auscult/db:/var/lib/auscult -v /srv/auscult/log:/var/log/auscult \
#     -v /srv/auscult/etc:/etc/auscult:ro -e AUSCULT_INTERFACE=eth1 auscult
# deploy/docker-entrypoint.sh gives the data and log volumes to `auscult` (CHOWN) and falls back
# to the shipped config when /etc/auscult is mounted empty. The process starts as root (with
# only those capabilities), opens the interface, then switches to the user `auscult`
# (AUSCULT_USER) and checks that no capability is left.

# ---- build: native addons (better-sqlite3, auscult's libpcap addon in native/) need a compiler and libpcap headers ----
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpcap-dev python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
COPY bin ./bin
COPY fingerprints ./fingerprints
COPY schemas ./schemas
COPY config ./config
COPY native ./native
# The bench's replay-child snapshot is not needed in the image (the CLI's is: `docker exec <name>
# /app/bin/auscult replay ...` starts from it, src/start-snapshot.ts).
RUN npm run build && rm -f dist/bundle/snapshot/replay-child.* && npm prune --omit=dev

# ---- runtime: libpcap's shared library only, no compiler, no headers ----
FROM node:20-bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpcap0.8 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system auscult \
 && useradd --system --gid auscult --no-create-home --home-dir /var/lib/auscult --shell /usr/sbin/nologin auscult \
 && mkdir -p /var/lib/auscult /var/log/auscult /etc/auscult \
 && chown auscult:auscult /var/lib/auscult /var/log/auscult
WORKDIR /app
# NODE_OPTIONS and MALLOC_ARENA_MAX: memory settings, explained in src/runtime-env.ts.
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=4 \
    MALLOC_ARENA_MAX=2 \
    AUSCULT_DB=/var/lib/auscult/auscult.db \
    AUSCULT_EXCEPTIONS=/var/log/auscult/exceptions.ndjson \
    AUSCULT_METRICS_LISTEN=127.0.0.1:9464 \
    AUSCULT_USER=auscult
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/fingerprints ./fingerprints
COPY --from=build /app/schemas ./schemas
COPY --from=build /app/config/auscult.yaml /etc/auscult/auscult.yaml
COPY --from=build /app/config/auscult.yaml /app/config/auscult.yaml
COPY deploy/docker-entrypoint.sh /usr/local/bin/auscult-entrypoint
VOLUME ["/var/lib/auscult", "/var/log/auscult", "/etc/auscult"]
# Root only until the interface is open; AUSCULT_USER drops to `auscult` right after.
# hadolint ignore=DL3002
USER root
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/local/bin/auscult-entrypoint"]
CMD ["run"]
