/**
 * A picture of a share card as a phone or a webcam would take it: scaled, turned, on a grey
 * desk, lit unevenly, with sensor noise, saved as JPEG. Made from a clean render (pdftoppm's
 * page, qrencode's code) so the QR reader is tested on pictures that are not perfect.
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { seededRng } from '../../src/core/crypto/random';

export interface Shot {
  scale: number;
  /** Degrees, counter-clockwise. */
  turn: number;
  /** Standard deviation of the added noise, in grey levels. */
  noise: number;
  /** Brightness across the picture, from left (1 - light) to right (1). */
  light: number;
  quality: number;
}

export function photograph(png: Uint8Array, shot: Shot, seed = 'photo'): Uint8Array {
  const src = PNG.sync.read(Buffer.from(png));
  const grey = (x: number, y: number) => {
    if (x < 0 || y < 0 || x >= src.width || y >= src.height) return 128; // the desk
    const i = (y * src.width + x) * 4;
    return (src.data[i]! + src.data[i + 1]! + src.data[i + 2]!) / 3;
  };
  const a = (shot.turn * Math.PI) / 180;
  const [cos, sin] = [Math.cos(a), Math.sin(a)];
  const w0 = src.width * shot.scale;
  const h0 = src.height * shot.scale;
  const width = Math.ceil(Math.abs(w0 * cos) + Math.abs(h0 * sin)) + 40;
  const height = Math.ceil(Math.abs(w0 * sin) + Math.abs(h0 * cos)) + 40;
  const rnd = seededRng(seed);
  const noise = () => {
    // Sum of uniforms: close enough to a normal for sensor noise.
    const b = rnd(6);
    return ((b.reduce((s, x) => s + x, 0) / 6 - 127.5) / 73.9) * shot.noise;
  };
  const out = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      // Back to the source: undo the turn about the centre, then the scale; bilinear between pixels.
      const dx = x - width / 2;
      const dy = y - height / 2;
      const sx = (cos * dx + sin * dy) / shot.scale + src.width / 2;
      const sy = (-sin * dx + cos * dy) / shot.scale + src.height / 2;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const v = grey(x0, y0) * (1 - fx) * (1 - fy) + grey(x0 + 1, y0) * fx * (1 - fy) + grey(x0, y0 + 1) * (1 - fx) * fy + grey(x0 + 1, y0 + 1) * fx * fy;
      const lit = v * (1 - shot.light + (shot.light * x) / width) + noise();
      const g = Math.max(0, Math.min(255, Math.round(lit)));
      const i = (y * width + x) * 4;
      out[i] = out[i + 1] = out[i + 2] = g;
      out[i + 3] = 255;
    }
  return new Uint8Array(jpeg.encode({ data: out, width, height }, shot.quality).data);
}

/**
 * A camera's view of a page, as a one-frame YUV4MPEG2 video (what Chromium's fake camera plays,
 * `--use-file-for-fake-video-capture`): the top of the page, grey, on a grey desk.
 */
export function cameraFrame(png: Uint8Array, width = 1280, height = 720): Uint8Array {
  const src = PNG.sync.read(Buffer.from(png));
  const y = Buffer.alloc(width * height, 110);
  const left = Math.max(0, Math.floor((width - src.width) / 2));
  for (let row = 0; row < Math.min(height, src.height); row++)
    for (let col = 0; col < Math.min(width - left, src.width); col++) {
      const i = (row * src.width + col) * 4;
      y[row * width + left + col] = Math.round(0.299 * src.data[i]! + 0.587 * src.data[i + 1]! + 0.114 * src.data[i + 2]!);
    }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\nFRAME\n`);
  return new Uint8Array(Buffer.concat([header, y, chroma]));
}
