/**
 * \summary `npm run build` runs this after compiling: writes the packed IEEE registry beside the
 * compiled oui module, so a process starts without scanning oui-data's 5.6 MB JSON (see oui.ts).
 */
import { OUI_CACHE_PATH, writeOuiCache } from './oui.js';

writeOuiCache();
process.stdout.write(`wrote ${OUI_CACHE_PATH}\n`);
