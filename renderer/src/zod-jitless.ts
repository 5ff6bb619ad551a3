/**
 * Imported first by main.tsx. zod (used through core's schemas on the Register screen) probes
 * `new Function("")` on its first object parse to decide whether to compile fast parsers; under
 * `script-src 'self'` that probe is blocked and Chromium reports a CSP violation even though zod
 * catches the error. jitless skips the probe.
 */
import { config } from 'zod';

config({ jitless: true });
