import sharp from 'sharp';

/**
 * Generators of synthetic ID-card and signature photos for the photo pipeline's tests (and any
 * later test that needs a realistic upload). Everything is deterministic: the same options give
 * the same bytes. Cards follow the layout of the second-generation Chinese ID card at 856×540
 * (85.6 × 54 mm): the front (人像面) has text on the left and the portrait on the right, the back
 * (国徽面) has the red emblem at the top-left, the title to its right and the validity lines at the
 * bottom.
 */

/**
 * `Math` through a module-level reference: inside a vm sandbox (jest) every lookup of a global in a
 * per-pixel loop is slow, and these loops run over hundreds of thousands of pixels.
 */
const math = Math;

/** An ID card's 人像面 or 国徽面, or the number side of a bank card (same ID-1 size). */
export type CardSide = 'FRONT' | 'BACK' | 'BANK';
export type QuarterTurn = 0 | 90 | 180 | 270;

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Size of a card at 10 px/mm (ID-1 format). */
export const CARD_WIDTH = 856;
export const CARD_HEIGHT = 540;
export const CARD_BASE = '#e9eef2';
export const PORTRAIT_FILL = '#7a8596';
export const EMBLEM_RED = '#c8102e';
export const DARK_BACKGROUND = '#2b2f36';
/** Close to the card's colour: the pipeline must refuse to guess the card's edges on it. */
export const LOW_CONTRAST_BACKGROUND = '#dfe4e8';

/**
 * Where the distinctive blocks sit on an upright card, as fractions of its width and height.
 * Tests measure the pipeline's output in these regions to prove the card came out upright.
 */
export const LAYOUT = {
  portrait: { left: 0.64, top: 0.12, width: 0.3, height: 0.6 },
  emblem: { cx: 0.165, cy: 0.27, r: 0.256 /* of the card height */ },
} as const;

/** Small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A line of glyph-like strokes (no fonts needed): each character cell gets 3–5 thin bars. */
function textLine(rand: () => number, x: number, y: number, chars: number, size: number, fill: string): string {
  const parts: string[] = [];
  const stroke = math.max(2, math.round(size * 0.12));
  for (let c = 0; c < chars; c++) {
    const cx = x + c * size * 1.1;
    const strokes = 3 + math.floor(rand() * 3);
    for (let s = 0; s < strokes; s++) {
      if (rand() < 0.5) {
        const w = size * (0.4 + rand() * 0.6);
        const sx = cx + rand() * (size - w);
        const sy = y + rand() * (size - stroke);
        parts.push(
          `<rect x="${sx.toFixed(1)}" y="${sy.toFixed(1)}" width="${w.toFixed(1)}" height="${stroke}" fill="${fill}"/>`,
        );
      } else {
        const h = size * (0.4 + rand() * 0.6);
        const sx = cx + rand() * (size - stroke);
        const sy = y + rand() * (size - h);
        parts.push(
          `<rect x="${sx.toFixed(1)}" y="${sy.toFixed(1)}" width="${stroke}" height="${h.toFixed(1)}" fill="${fill}"/>`,
        );
      }
    }
  }
  return parts.join('');
}

/**
 * The SVG of an upright card at 856×540 with rounded corners and a transparent outside. With
 * `stripes`, the card has no layout to tell its ends apart: thin full-width lines only.
 */
export function cardSvg(side: CardSide, seed = 1, stripes = false): string {
  const rand = prng(seed);
  const W = CARD_WIDTH;
  const H = CARD_HEIGHT;
  const body: string[] = [`<rect x="0" y="0" width="${W}" height="${H}" rx="28" ry="28" fill="${CARD_BASE}"/>`];
  const ink = '#2a2d33';
  const label = '#5a6b7d';
  if (stripes) {
    for (let y = 60; y < H - 40; y += 36)
      body.push(`<rect x="40" y="${y}" width="${W - 80}" height="4" fill="${ink}"/>`);
  } else if (side === 'FRONT') {
    // labels and values: 姓名, 性别/民族, 出生, 住址 (two lines), all in the left ~60 %
    const rows: Array<[number, number]> = [
      [70, 5],
      [130, 6],
      [190, 9],
      [250, 11],
      [300, 10],
    ];
    for (const [y, n] of rows) {
      body.push(textLine(rand, 40, y, 2, 26, label));
      body.push(textLine(rand, 120, y, n, 30, ink));
    }
    // 公民身份号码 + 18 digits along the bottom
    body.push(textLine(rand, 40, 440, 6, 26, label));
    body.push(textLine(rand, 250, 436, 18, 28, ink));
    const p = LAYOUT.portrait;
    const px = p.left * W;
    const py = p.top * H;
    const pw = p.width * W;
    const ph = p.height * H;
    body.push(`<clipPath id="portrait"><rect x="${px}" y="${py}" width="${pw}" height="${ph}"/></clipPath>`);
    body.push(`<g clip-path="url(#portrait)">`);
    body.push(`<rect x="${px}" y="${py}" width="${pw}" height="${ph}" fill="${PORTRAIT_FILL}"/>`);
    body.push(
      `<ellipse cx="${px + pw / 2}" cy="${py + ph * 0.4}" rx="${pw * 0.25}" ry="${ph * 0.27}" fill="#c9b8a8"/>`,
    );
    body.push(`<ellipse cx="${px + pw / 2}" cy="${py + ph}" rx="${pw * 0.46}" ry="${ph * 0.28}" fill="#3c4450"/>`);
    body.push('</g>');
  } else if (side === 'BANK') {
    // a bank card's number side: the bank's mark and name, the chip, the 16 digits, 有效期 and 持卡人
    body.push(`<rect x="0" y="0" width="${W}" height="${H}" rx="28" ry="28" fill="#d6e4f2"/>`);
    body.push(`<circle cx="90" cy="80" r="40" fill="#b3202a"/>`);
    body.push(textLine(rand, 150, 60, 6, 40, '#b3202a'));
    body.push(`<rect x="80" y="190" width="110" height="84" rx="12" fill="#d4af37"/>`);
    body.push(textLine(rand, 80, 320, 19, 36, ink));
    body.push(textLine(rand, 420, 400, 5, 24, label));
    body.push(textLine(rand, 80, 460, 6, 30, ink));
    body.push(`<rect x="${W - 190}" y="${H - 120}" width="140" height="80" rx="8" fill="#1d4e89"/>`);
  } else {
    const e = LAYOUT.emblem;
    const cx = e.cx * W;
    const cy = e.cy * H;
    const r = e.r * H;
    body.push(`<circle cx="${cx}" cy="${cy}" r="${r}" fill="${EMBLEM_RED}"/>`);
    body.push(`<circle cx="${cx}" cy="${cy}" r="${r * 0.55}" fill="none" stroke="#f2c230" stroke-width="${r * 0.1}"/>`);
    for (let i = 0; i < 5; i++) {
      const a = (i / 5) * 2 * math.PI - math.PI / 2;
      body.push(
        `<circle cx="${cx + math.cos(a) * r * 0.35}" cy="${cy + math.sin(a) * r * 0.35}" r="${r * 0.09}" fill="#f2c230"/>`,
      );
    }
    // 中华人民共和国 / 居民身份证
    body.push(textLine(rand, 330, 80, 7, 52, ink));
    body.push(textLine(rand, 360, 170, 5, 64, ink));
    // 签发机关 … / 有效期限 …
    body.push(textLine(rand, 130, 390, 4, 26, label));
    body.push(textLine(rand, 260, 388, 7, 28, ink));
    body.push(textLine(rand, 130, 450, 4, 26, label));
    body.push(textLine(rand, 260, 448, 15, 28, ink));
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${body.join('')}</svg>`;
}

interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: number;
}

async function rasterCard(
  side: CardSide,
  width: number,
  rotation: QuarterTurn,
  seed: number,
  stripes: boolean,
): Promise<RawImage> {
  const height = math.round((width * CARD_HEIGHT) / CARD_WIDTH);
  let img = sharp(Buffer.from(cardSvg(side, seed, stripes))).resize(width, height, { fit: 'fill' });
  if (rotation) img = sharp(await img.png().toBuffer()).rotate(rotation);
  const { data, info } = await img.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

function parseHex(hex: string): [number, number, number] {
  const v = parseInt(hex.replace('#', ''), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** A frame of one colour with uniform noise of ±`noise` per channel. */
function noisyFrame(width: number, height: number, colour: string, noise: number, seed: number): Buffer {
  const [r, g, b] = parseHex(colour);
  const out = Buffer.allocUnsafe(width * height * 3);
  const rand = prng(seed);
  const span = noise * 2 + 1;
  for (let i = 0; i < out.length; i += 3) {
    const n = noise ? math.floor(rand() * span) - noise : 0;
    out[i] = math.max(0, math.min(255, r + n));
    out[i + 1] = math.max(0, math.min(255, g + n));
    out[i + 2] = math.max(0, math.min(255, b + n));
  }
  return out;
}

/** Alpha-composites an RGBA raster into an RGB frame at (left, top), clipped to the frame. */
function paste(frame: Buffer, frameWidth: number, src: RawImage, left: number, top: number): void {
  const frameHeight = frame.length / 3 / frameWidth;
  for (let y = 0; y < src.height; y++) {
    if (top + y < 0 || top + y >= frameHeight) continue;
    for (let x = 0; x < src.width; x++) {
      if (left + x < 0 || left + x >= frameWidth) continue;
      const s = (y * src.width + x) * src.channels;
      const d = ((top + y) * frameWidth + left + x) * 3;
      const a = src.channels === 4 ? src.data[s + 3] : 255;
      if (a === 255) {
        frame[d] = src.data[s];
        frame[d + 1] = src.data[s + 1];
        frame[d + 2] = src.data[s + 2];
      } else if (a > 0) {
        const k = a / 255;
        frame[d] = math.round(src.data[s] * k + frame[d] * (1 - k));
        frame[d + 1] = math.round(src.data[s + 1] * k + frame[d + 1] * (1 - k));
        frame[d + 2] = math.round(src.data[s + 2] * k + frame[d + 2] * (1 - k));
      }
    }
  }
}

/** Paints a filled white (255,255,255) ellipse: a blown-out reflection. */
function paintGlare(frame: Buffer, frameWidth: number, area: Rect): void {
  const cx = area.left + area.width / 2;
  const cy = area.top + area.height / 2;
  const rx = area.width / 2;
  const ry = area.height / 2;
  const frameHeight = frame.length / 3 / frameWidth;
  for (let y = math.max(0, math.floor(area.top)); y < math.min(frameHeight, area.top + area.height); y++) {
    for (let x = math.max(0, math.floor(area.left)); x < math.min(frameWidth, area.left + area.width); x++) {
      const dx = (x - cx) / rx;
      const dy = (y - cy) / ry;
      if (dx * dx + dy * dy <= 1) frame.fill(255, (y * frameWidth + x) * 3, (y * frameWidth + x) * 3 + 3);
    }
  }
}

/**
 * Stores `scene` (RGB raw) as a JPEG whose pixels are turned so that the EXIF Orientation tag
 * `orientation` (1, 3, 6 or 8) turns them back into the scene, as phone cameras do.
 */
async function encode(
  scene: RawImage,
  orientation: 1 | 3 | 6 | 8,
  quality: number,
  blur?: number,
  brightness?: number,
): Promise<Buffer> {
  let img = sharp(scene.data, { raw: { width: scene.width, height: scene.height, channels: scene.channels as 3 } });
  if (blur) img = img.blur(blur);
  if (brightness !== undefined && brightness !== 1) img = img.linear(brightness, 0);
  if (orientation === 1) return img.jpeg({ quality, mozjpeg: false }).toBuffer();
  // the stored pixels are the scene turned the other way
  const stored = { 3: 180, 6: 270, 8: 90 }[orientation];
  const raw = await img.rotate(stored).raw().toBuffer({ resolveWithObject: true });
  return sharp(raw.data, { raw: { width: raw.info.width, height: raw.info.height, channels: 3 } })
    .withMetadata({ orientation })
    .jpeg({ quality, mozjpeg: false })
    .toBuffer();
}

export interface IdPhotoOptions {
  side: CardSide;
  /** A card without the ID layout (full-width lines only): its ends cannot be told apart. */
  stripes?: boolean;
  /** Displayed frame size (after EXIF orientation). Default 1600×1200. */
  frameWidth?: number;
  frameHeight?: number;
  /** Card width before rotation, default 856 (height follows the ID-1 ratio). */
  cardWidth?: number;
  /** Top-left corner of the (rotated) card in the displayed frame; default centred. May be negative: the frame cuts the card off. */
  left?: number;
  top?: number;
  /** Clockwise turn of the card in the scene (the pipeline must undo it). */
  cardRotation?: QuarterTurn;
  /** EXIF Orientation tag; the stored pixels are turned so that the tag restores the scene. */
  exifOrientation?: 1 | 3 | 6 | 8;
  background?: string;
  /** Noise amplitude of the background, default ±5. */
  noise?: number;
  /** Multiplies every pixel (0.15 = a very dark photo). */
  brightness?: number;
  /** A blown-out white ellipse covering this fraction of the card (centred on it). */
  glare?: number;
  /** Gaussian blur sigma applied to the whole photo. */
  blur?: number;
  quality?: number;
  seed?: number;
}

export interface SyntheticPhoto {
  jpeg: Buffer;
  /** Displayed frame size. */
  width: number;
  height: number;
  /** Where the card (or the signature's ink) is in the displayed frame. */
  subject: Rect;
}

/** A photo of an ID card lying on a background. */
export async function makeIdPhoto(options: IdPhotoOptions): Promise<SyntheticPhoto> {
  const width = options.frameWidth ?? 1600;
  const height = options.frameHeight ?? 1200;
  const seed = options.seed ?? 7;
  const card = await rasterCard(
    options.side,
    options.cardWidth ?? CARD_WIDTH,
    options.cardRotation ?? 0,
    seed,
    options.stripes ?? false,
  );
  const left = options.left ?? math.round((width - card.width) / 2);
  const top = options.top ?? math.round((height - card.height) / 2);
  const frame = noisyFrame(width, height, options.background ?? DARK_BACKGROUND, options.noise ?? 5, seed);
  paste(frame, width, card, left, top);
  const subject = { left, top, width: card.width, height: card.height };
  if (options.glare) {
    const k = math.sqrt(options.glare / (math.PI / 4));
    const gw = card.width * k;
    const gh = card.height * k;
    paintGlare(frame, width, {
      left: left + (card.width - gw) / 2,
      top: top + (card.height - gh) / 2,
      width: gw,
      height: gh,
    });
  }
  const jpeg = await encode(
    { data: frame, width, height, channels: 3 },
    options.exifOrientation ?? 1,
    options.quality ?? 90,
    options.blur,
    options.brightness,
  );
  return { jpeg, width, height, subject };
}

/** A photo of a bank card's number side lying on a background (结算账户设置). */
export function makeBankCardPhoto(options: Omit<IdPhotoOptions, 'side' | 'stripes'> = {}): Promise<SyntheticPhoto> {
  return makeIdPhoto({ ...options, side: 'BANK' });
}

export interface SignaturePhotoOptions {
  frameWidth?: number;
  frameHeight?: number;
  /** Where the strokes go (displayed frame); default a 520×180 band in the middle. */
  ink?: Rect;
  paper?: string;
  /** The sheet lies on a desk: paper only inside this rectangle, the desk colour around it. */
  sheet?: Rect;
  desk?: string;
  noise?: number;
  brightness?: number;
  blur?: number;
  /** No signature at all: a blank sheet. */
  blank?: boolean;
  exifOrientation?: 1 | 3 | 6 | 8;
  seed?: number;
}

/** A sheet of white paper filling the frame, with a handwritten-looking signature in blue and black. */
export async function makeSignaturePhoto(options: SignaturePhotoOptions = {}): Promise<SyntheticPhoto> {
  const width = options.frameWidth ?? 1200;
  const height = options.frameHeight ?? 900;
  const ink = options.ink ?? {
    left: math.round((width - 520) / 2),
    top: math.round((height - 180) / 2),
    width: 520,
    height: 180,
  };
  const rand = prng(options.seed ?? 3);
  const paths: string[] = [];
  // a few cursive strokes that span exactly the ink rectangle
  const strokes = 4;
  for (let s = 0; s < strokes; s++) {
    const x0 = ink.left + (s / strokes) * ink.width;
    const x1 = ink.left + ((s + 1) / strokes) * ink.width;
    const pts: string[] = [];
    const n = 14;
    for (let i = 0; i <= n; i++) {
      const x = x0 + ((x1 - x0) * i) / n;
      const y = ink.top + 6 + rand() * (ink.height - 12);
      pts.push(`${x.toFixed(1)},${y.toFixed(1)}`);
    }
    const colour = s % 2 ? '#1c1c22' : '#1f3fbf';
    paths.push(
      `<polyline points="${pts.join(' ')}" fill="none" stroke="${colour}" stroke-width="5" stroke-linejoin="round" stroke-linecap="round"/>`,
    );
  }
  // the extreme points: make sure the strokes reach every side of the rectangle
  paths.push(
    `<line x1="${ink.left + 3}" y1="${ink.top + 3}" x2="${ink.left + 40}" y2="${ink.top + ink.height / 2}" stroke="#1f3fbf" stroke-width="5" stroke-linecap="round"/>`,
  );
  paths.push(
    `<line x1="${ink.left + ink.width - 3}" y1="${ink.top + ink.height - 3}" x2="${ink.left + ink.width - 60}" y2="${ink.top + ink.height / 2}" stroke="#1c1c22" stroke-width="5" stroke-linecap="round"/>`,
  );
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${options.blank ? '' : paths.join('')}</svg>`;
  const paper = options.paper ?? '#f1f2ee';
  const frame = noisyFrame(
    width,
    height,
    options.sheet ? (options.desk ?? '#4a3b2e') : paper,
    options.noise ?? 3,
    options.seed ?? 3,
  );
  if (options.sheet) {
    const sheet = options.sheet;
    const raster = noisyFrame(sheet.width, sheet.height, paper, options.noise ?? 3, (options.seed ?? 3) + 1);
    paste(frame, width, { data: raster, width: sheet.width, height: sheet.height, channels: 3 }, sheet.left, sheet.top);
  }
  const strokesRaster = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  paste(frame, width, { data: strokesRaster.data, width, height, channels: 4 }, 0, 0);
  const jpeg = await encode(
    { data: frame, width, height, channels: 3 },
    options.exifOrientation ?? 1,
    90,
    options.blur,
    options.brightness,
  );
  return { jpeg, width, height, subject: ink };
}

/** The marker a phone writes into its photos' EXIF (camera make), to look for in outputs. */
export const CAMERA_MAKE = 'KaihuTestPhone';

/**
 * Adds what a phone camera writes: EXIF with the camera make and a GPS position (keeping the
 * orientation tag), XMP, and a Display-P3 ICC profile (the pixels are converted to P3).
 */
export function addCameraMetadata(jpeg: Buffer): Promise<Buffer> {
  return sharp(jpeg)
    .withExifMerge({
      IFD0: { Make: CAMERA_MAKE, Model: 'X1' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '31/1 13/1 50/1',
        GPSLongitudeRef: 'E',
        GPSLongitude: '121/1 28/1 10/1',
      },
    })
    .withXmp(
      '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="KaihuTestPhone"/></rdf:RDF></x:xmpmeta>',
    )
    .withIccProfile('p3')
    .jpeg({ quality: 92, mozjpeg: false })
    .toBuffer();
}

/** A small valid JPEG whose SOF0 header is patched to claim `width`×`height` pixels. */
export async function makeHugeHeaderJpeg(width = 60000, height = 60000): Promise<Buffer> {
  const small = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } })
    .jpeg({ quality: 80, mozjpeg: false, progressive: false })
    .toBuffer();
  const sof = small.indexOf(Buffer.from([0xff, 0xc0]));
  if (sof < 0) throw new Error('no SOF0 marker');
  const out = Buffer.from(small);
  out.writeUInt16BE(height, sof + 5);
  out.writeUInt16BE(width, sof + 7);
  return out;
}

/** A PNG (as if someone renamed photo.png to photo.jpg). */
export function makePng(width = 800, height = 600): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#445566' } })
    .png()
    .toBuffer();
}

/** The first `fraction` of a file, as an interrupted upload leaves it. */
export function truncate(file: Buffer, fraction = 0.5): Buffer {
  return Buffer.from(file.subarray(0, math.floor(file.length * fraction)));
}
