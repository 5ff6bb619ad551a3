// Draws resources/icon.png (512x512), a white shield with a check mark on a blue rounded square, and
// the tray icons in two states at 16x16 and 32x32 (@2x, which macOS picks on Retina screens and the
// app uses on Linux and Windows): tray-calm (the same blue shield) and tray-alert (a red square with
// an exclamation mark on the shield). Uses only node:zlib, so it runs anywhere Node does.
// Usage: node scripts/generate-icons.mjs
import { writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';

const CALM = { top: [0x3b, 0x7c, 0xf0], bottom: [0x1d, 0x4f, 0xb8], mark: [0x2a, 0x63, 0xd9] };
const ALERT = { top: [0xef, 0x4b, 0x3c], bottom: [0xb4, 0x22, 0x18], mark: [0xc8, 0x2a, 0x1e] };

function insideRoundedSquare(x, y, r) {
  const cx = Math.min(Math.max(x, r), 1 - r);
  const cy = Math.min(Math.max(y, r), 1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

function insideShield(x, y) {
  const top = 0.2, shoulder = 0.48, tip = 0.84, half = 0.28;
  const dx = Math.abs(x - 0.5);
  if (y <= shoulder) return dx <= half && y >= top + 0.03 * Math.cos((dx / half) * (Math.PI / 2));
  if (y > tip) return false;
  const t = (y - shoulder) / (tip - shoulder);
  return dx <= half * Math.cos((t * Math.PI) / 2);
}

function distanceToSegment(px, py, [ax, ay], [bx, by]) {
  const vx = bx - ax, vy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * vx + (py - ay) * vy) / (vx * vx + vy * vy)));
  return Math.hypot(px - (ax + t * vx), py - (ay + t * vy));
}

const CHECK_POINTS = [[0.37, 0.5], [0.465, 0.595], [0.64, 0.41]];
function onCheck(x, y) {
  const d = Math.min(
    distanceToSegment(x, y, CHECK_POINTS[0], CHECK_POINTS[1]),
    distanceToSegment(x, y, CHECK_POINTS[1], CHECK_POINTS[2]),
  );
  return d <= 0.035;
}

/** An exclamation mark: a bar and a dot, centred on the shield. */
function onExclamation(x, y) {
  const bar = distanceToSegment(x, y, [0.5, 0.33], [0.5, 0.55]) <= 0.045;
  const dot = Math.hypot(x - 0.5, y - 0.65) <= 0.05;
  return bar || dot;
}

/** Colour (RGBA 0-255) of one sample point in the unit square. */
function sample(x, y, style) {
  if (!insideRoundedSquare(x, y, 0.22)) return [0, 0, 0, 0];
  if (insideShield(x, y)) return style.onMark(x, y) ? [...style.colours.mark, 255] : [255, 255, 255, 255];
  return [...style.colours.top.map((c, i) => Math.round(c + (style.colours.bottom[i] - c) * y)), 255];
}

function draw(size, samples = 4, style = { colours: CALM, onMark: onCheck }) {
  const rows = [];
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(1 + size * 4); // filter byte 0 (None) + RGBA pixels
    for (let px = 0; px < size; px++) {
      const acc = [0, 0, 0, 0];
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const [r, g, b, a] = sample((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size, style);
          acc[0] += r * a; acc[1] += g * a; acc[2] += b * a; acc[3] += a;
        }
      }
      const alpha = acc[3] / (samples * samples);
      const o = 1 + px * 4;
      if (acc[3] > 0) {
        row[o] = Math.round(acc[0] / acc[3]);
        row[o + 1] = Math.round(acc[1] / acc[3]);
        row[o + 2] = Math.round(acc[2] / acc[3]);
      }
      row[o + 3] = Math.round(alpha);
    }
    rows.push(row);
  }
  return png(size, size, Buffer.concat(rows));
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function png(width, height, raw) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const out = new URL('../resources/', import.meta.url);
writeFileSync(new URL('icon.png', out), draw(512));
const calm = { colours: CALM, onMark: onCheck };
const alert = { colours: ALERT, onMark: onExclamation };
for (const [name, style] of [['tray-calm', calm], ['tray-alert', alert]]) {
  writeFileSync(new URL(`${name}.png`, out), draw(16, 8, style));
  writeFileSync(new URL(`${name}@2x.png`, out), draw(32, 8, style));
}
console.log('wrote resources/icon.png (512x512) and resources/tray-{calm,alert}.png (16x16) and @2x.png (32x32)');
