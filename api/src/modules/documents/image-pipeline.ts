import { open } from 'node:fs/promises';
import sharp from 'sharp';

/**
 * The photo pipeline for the ID card (front and back) and the handwritten-signature photos:
 * checks the file, applies the EXIF orientation, finds the card against its background and cuts
 * it out (切边), turns it upright and landscape, checks exposure and sharpness, and re-encodes it
 * without metadata plus a thumbnail.
 *
 * Speed: the original is decoded exactly once, to an oriented RGB buffer. Every measurement is made
 * on small copies resized from that buffer (the card search at 512 px, the quality checks at 800 px),
 * and the output is one extract + rotate + JPEG pipeline over the same buffer. JavaScript loops only
 * ever see the small copies.
 */

export type PhotoKind = 'ID_CARD_FRONT' | 'ID_CARD_BACK' | 'SIGNATURE' | 'BANK_CARD';
export type Adjustment = 'AUTO_ORIENTED' | 'CROPPED' | 'ROTATED';
export type PhotoProblemCode =
  | 'UNSUPPORTED_FILE_TYPE'
  | 'IMAGE_CORRUPT'
  | 'IMAGE_TOO_LARGE'
  | 'IMAGE_TOO_SMALL'
  | 'PHOTO_TOO_DARK'
  | 'PHOTO_GLARE'
  | 'PHOTO_BLURRY'
  | 'CARD_NOT_FOUND';

/** A photo the customer must retake; `message` (Chinese) says how. */
export class PhotoProblem extends Error {
  constructor(
    readonly code: PhotoProblemCode,
    message: string,
    readonly details?: Record<string, number | string>,
  ) {
    super(message);
    this.name = 'PhotoProblem';
  }
}

export interface ProcessedPhoto {
  /** JPEG, sRGB, no EXIF/GPS/ICC/XMP. */
  processed: Buffer;
  /** JPEG, longest side 320 px. */
  thumbnail: Buffer;
  /** Of `processed`. */
  width: number;
  height: number;
  /** In the order applied. */
  adjustments: Adjustment[];
  /** In the oriented original's pixel coordinates. */
  crop?: { left: number; top: number; width: number; height: number };
  /** Clockwise degrees applied after cropping. */
  rotation: 0 | 90 | 180 | 270;
  /**
   * The measured values. `meanLuminance` (0–255, Rec. 601 luma) and `glareFraction` (share of
   * pixels ≥ 250 in all channels) over the card without its outer 3 % (the signature crop without
   * its margin); `sharpness` is the variance of the Laplacian at 800 px width after a contrast
   * stretch; `contrast` is, for ID sides, the RGB distance between the background (frame border)
   * and the card (for a photo already cut to the card, the small border-to-centre distance), and
   * for the signature the luminance difference between the paper and the ink.
   */
  quality: { meanLuminance: number; glareFraction: number; sharpness: number; contrast: number };
}

/**
 * Limits and thresholds. Distances are Euclidean in 8-bit RGB (0–441); luminance is Rec. 601 luma
 * (0–255). The values were checked against the synthetic test set in `testing/synthetic-photos.ts`
 * (see the test file for the measured values).
 */
export const PHOTO_LIMITS = {
  /** Width × height above which a photo is refused before decoding (IMAGE_TOO_LARGE). */
  maxPixels: 50_000_000,
  /** ID sides: long side ≥ 640 and short side ≥ 400 after orientation. */
  minIdWidth: 640,
  minIdHeight: 400,
  /** Signature: long side ≥ 300 and short side ≥ 150. */
  minSignatureWidth: 300,
  minSignatureHeight: 150,
  /** Long side of the copy the card and the ink are searched on. */
  analysisSize: 512,
  /** Background = per-channel median of this outer band of the frame (fraction of each side). */
  borderBand: 0.015,
  /**
   * A pixel belongs to the card when its distance to the background exceeds the largest of: Otsu's
   * threshold over all distances, 3 × the border's own median distance + 10 (its noise; the median
   * stays right when the card reaches into the band), and this.
   */
  minForegroundDistance: 24,
  /** The card's median colour must be at least this far from the background's (else CARD_NOT_FOUND). */
  minCardContrast: 40,
  /** The card's bounding box must cover at least this share of the frame (else CARD_NOT_FOUND). */
  minCardArea: 0.15,
  /** A card covering at least this share of the frame is not cropped. */
  noCropArea: 0.95,
  /** Padding added around the card's bounding box, as a fraction of its width / height per side. */
  cropPadding: 0.01,
  /** ID-1 card aspect (85.6 × 54 mm); a frame this shape whose border is the card's colour is taken as already cut. */
  cardAspect: 85.6 / 54,
  cardAspectTolerance: 0.04,
  /**
   * Upright decision: relative difference |left − right| / (left + right) of the "ink mass" of the
   * outer thirds below which the layout is ambiguous and the smaller rotation is kept.
   */
  orientationMargin: 0.2,
  /** Per-pixel ink (darkness + extra saturation vs the card's base colour) below this counts as none. */
  inkFloor: 24,
  /** Signature: ink is darker than this share of the paper's luminance, or clearly blue. */
  signatureInkRatio: 0.6,
  /** Margin added around the signature's ink, as a fraction of the ink box per side. */
  signatureMargin: 0.05,
  /** PHOTO_TOO_DARK below this mean luminance. */
  minMeanLuminance: 55,
  /** PHOTO_GLARE above this mean luminance (the whole card washed out; ID sides only). */
  maxMeanLuminance: 240,
  /** A pixel is blown out when all three channels reach this. */
  glareLevel: 250,
  /** PHOTO_GLARE above this share of blown-out card pixels. */
  maxGlareFraction: 0.06,
  /** Signature paper is white, so only a largely clipped sheet counts as overexposed. */
  maxSignatureGlareFraction: 0.6,
  /** Width the upright card is resized to before the Laplacian. */
  sharpnessWidth: 800,
  /**
   * PHOTO_BLURRY below this variance of the Laplacian (ID sides only). On the synthetic cards a sharp
   * photo measures ~1300–1500 and this level is reached at a Gaussian defocus of σ ≈ 2 px at 800 px
   * card width (σ 1 px ≈ 420, σ 3 px ≈ 16, σ 6 px ≈ 5).
   */
  minSharpness: 50,
  jpegQuality: 88,
  thumbnailSize: 320,
} as const;

/**
 * `Math` through a module-level reference: inside a vm sandbox (jest) every lookup of a global in a
 * per-pixel loop is slow, and these loops run over hundreds of thousands of pixels.
 */
const math = Math;

const DECODE_OPTIONS = { failOn: 'truncated', limitInputPixels: PHOTO_LIMITS.maxPixels, sequentialRead: true } as const;

/** JPEG files start with SOI (FF D8) followed by the first marker's FF. */
export function isJpegMagic(firstBytes: Buffer): boolean {
  return firstBytes.length >= 3 && firstBytes[0] === 0xff && firstBytes[1] === 0xd8 && firstBytes[2] === 0xff;
}

const SUBJECT: Record<PhotoKind, string> = {
  ID_CARD_FRONT: '身份证人像面',
  ID_CARD_BACK: '身份证国徽面',
  SIGNATURE: '签名',
  BANK_CARD: '银行卡',
};

const MESSAGES = {
  unsupported: '仅支持 JPG 格式的照片，请重新拍摄或选择 JPG 格式的照片上传',
  corrupt: '照片文件已损坏或不完整，无法读取，请重新拍摄后上传',
  tooLarge: `照片像素过大（超过${PHOTO_LIMITS.maxPixels / 10_000}万像素），请降低相机分辨率后重新拍摄上传`,
  tooSmallId: `照片分辨率过低（至少需要${PHOTO_LIMITS.minIdWidth}×${PHOTO_LIMITS.minIdHeight}像素），请使用手机后置摄像头、靠近证件重新拍摄`,
  tooSmallSignature: `签名照片分辨率过低（至少需要${PHOTO_LIMITS.minSignatureWidth}×${PHOTO_LIMITS.minSignatureHeight}像素），请靠近签名重新拍摄`,
  lowContrast:
    '未能识别到完整的身份证边缘：证件与背景颜色反差太小。请将身份证放在深色、与证件颜色反差较大的背景上，让证件充满取景框的80%以上后重新拍摄',
  cardTooSmall:
    '未能识别到完整的身份证：证件在照片中太小或不完整。请将整张身份证放在深色背景上，让证件完整并充满取景框的80%以上后重新拍摄',
  noInk: '未能识别到签名笔迹：请在白纸上用黑色或蓝色笔签名，让签名完整、清晰地出现在照片中后重新拍摄',
  dark: (kind: PhotoKind) => `${SUBJECT[kind]}照片太暗，看不清内容，请在光线充足处重新拍摄`,
  glare: (kind: PhotoKind) => `${SUBJECT[kind]}照片反光或过曝，部分内容看不清，请避开灯光直射，调整角度后重新拍摄`,
  blurry: (kind: PhotoKind) => `${SUBJECT[kind]}照片模糊，请对焦清晰、保持手机稳定后重新拍摄`,
};

interface Rgb {
  data: Buffer;
  width: number;
  height: number;
}

interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

type Turn = 0 | 90 | 180 | 270;

/**
 * Checks, orients, crops, turns upright and re-encodes one photo. `input` is a file path or the
 * file's bytes. Throws {@link PhotoProblem} when the customer must retake the photo.
 */
export async function processPhoto(input: string | Buffer, kind: PhotoKind): Promise<ProcessedPhoto> {
  // 1. type by content, header size, then one decode
  if (!isJpegMagic(await firstBytes(input, 3))) throw new PhotoProblem('UNSUPPORTED_FILE_TYPE', MESSAGES.unsupported);
  let meta: sharp.Metadata;
  try {
    // header only: no pixel limit here so that the dimensions can be reported
    meta = await sharp(input, { ...DECODE_OPTIONS, limitInputPixels: false }).metadata();
  } catch (e) {
    throw decodeProblem(e);
  }
  if (meta.format !== 'jpeg') throw new PhotoProblem('UNSUPPORTED_FILE_TYPE', MESSAGES.unsupported);
  if (!meta.width || !meta.height) throw new PhotoProblem('IMAGE_CORRUPT', MESSAGES.corrupt);
  if (meta.width * meta.height > PHOTO_LIMITS.maxPixels) {
    throw new PhotoProblem('IMAGE_TOO_LARGE', MESSAGES.tooLarge, {
      width: meta.width,
      height: meta.height,
      maxPixels: PHOTO_LIMITS.maxPixels,
    });
  }
  let image: Rgb;
  try {
    const { data, info } = await sharp(input, DECODE_OPTIONS)
      .rotate()
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`unexpected ${info.channels} channels`);
    image = { data, width: info.width, height: info.height };
  } catch (e) {
    throw decodeProblem(e);
  }

  // 2. orientation
  const adjustments: Adjustment[] = [];
  if ((meta.orientation ?? 1) !== 1) adjustments.push('AUTO_ORIENTED');

  // 3. size
  const long = math.max(image.width, image.height);
  const short = math.min(image.width, image.height);
  const [minLong, minShort] =
    kind === 'SIGNATURE'
      ? [PHOTO_LIMITS.minSignatureWidth, PHOTO_LIMITS.minSignatureHeight]
      : [PHOTO_LIMITS.minIdWidth, PHOTO_LIMITS.minIdHeight];
  if (long < minLong || short < minShort) {
    throw new PhotoProblem('IMAGE_TOO_SMALL', kind === 'SIGNATURE' ? MESSAGES.tooSmallSignature : MESSAGES.tooSmallId, {
      width: image.width,
      height: image.height,
      minWidth: minLong,
      minHeight: minShort,
    });
  }

  // 4–6. find the card (or the ink) on a small copy, choose the rotation
  const small = await downscale(image, PHOTO_LIMITS.analysisSize);
  const scaleX = image.width / small.width;
  const scaleY = image.height / small.height;
  let box: Rect | null; // in `small`
  let pad: number;
  let contrast: number;
  let rotation: Turn = 0;
  if (kind === 'SIGNATURE') {
    const found = findInk(small);
    if (!found) throw notFound(small, kind, MESSAGES.noInk, { reason: 'NO_INK' });
    box = found.box;
    contrast = found.contrast;
    pad = PHOTO_LIMITS.signatureMargin;
  } else {
    const found = findCard(small);
    if (!found.box) {
      const reason = found.reason ?? 'CARD_TOO_SMALL';
      throw notFound(small, kind, reason === 'LOW_CONTRAST' ? MESSAGES.lowContrast : MESSAGES.cardTooSmall, {
        reason,
        contrast: round(found.contrast, 1),
        coverage: round(found.coverage, 3),
      });
    }
    box = found.box;
    contrast = found.contrast;
    pad = PHOTO_LIMITS.cropPadding;
    rotation = chooseRotation(small, found.box, found.base, kind);
  }
  const full = { left: 0, top: 0, width: image.width, height: image.height };
  let crop: Rect | undefined = toOriginal(box, pad, scaleX, scaleY, image.width, image.height);
  if (crop.width * crop.height >= PHOTO_LIMITS.noCropArea * image.width * image.height) crop = undefined;
  if (crop) adjustments.push('CROPPED');
  if (rotation) adjustments.push('ROTATED');
  const region = crop ?? full;

  // 7. quality on the cut-out at 800 px width (of the upright result); rotation does not change the measures
  const turned = rotation === 90 || rotation === 270;
  const measured = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .extract(region)
    .resize(turned ? { height: PHOTO_LIMITS.sharpnessWidth } : { width: PHOTO_LIMITS.sharpnessWidth })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const view: Rgb = { data: measured.data, width: measured.info.width, height: measured.info.height };
  // leave out the padding (and the card's rounded corners) / the signature margin
  const inset =
    kind === 'SIGNATURE' && crop ? PHOTO_LIMITS.signatureMargin / (1 + 2 * PHOTO_LIMITS.signatureMargin) : 0.03;
  const stats = measure(view, inset);
  const quality = {
    meanLuminance: round(stats.meanLuminance, 1),
    glareFraction: round(stats.glareFraction, 4),
    sharpness: round(stats.sharpness, 1),
    contrast: round(contrast, 1),
  };
  const details = { ...quality };
  if (stats.meanLuminance < PHOTO_LIMITS.minMeanLuminance)
    throw new PhotoProblem('PHOTO_TOO_DARK', MESSAGES.dark(kind), details);
  const glare =
    kind === 'SIGNATURE'
      ? stats.glareFraction > PHOTO_LIMITS.maxSignatureGlareFraction
      : stats.glareFraction > PHOTO_LIMITS.maxGlareFraction || stats.meanLuminance > PHOTO_LIMITS.maxMeanLuminance;
  if (glare) throw new PhotoProblem('PHOTO_GLARE', MESSAGES.glare(kind), details);
  if (kind !== 'SIGNATURE' && stats.sharpness < PHOTO_LIMITS.minSharpness)
    throw new PhotoProblem('PHOTO_BLURRY', MESSAGES.blurry(kind), details);

  // 8. output: one pipeline over the decoded pixels (raw input carries no metadata), thumbnail from the 800 px copy
  let out = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  if (crop) out = out.extract(crop);
  if (rotation) out = out.rotate(rotation);
  const [processed, thumbnail] = await Promise.all([
    out.jpeg({ quality: PHOTO_LIMITS.jpegQuality, mozjpeg: false }).toBuffer({ resolveWithObject: true }),
    sharp(view.data, { raw: { width: view.width, height: view.height, channels: 3 } })
      .rotate(rotation)
      .resize(PHOTO_LIMITS.thumbnailSize, PHOTO_LIMITS.thumbnailSize, { fit: 'inside' })
      .jpeg({ quality: 80, mozjpeg: false })
      .toBuffer(),
  ]);
  return {
    processed: processed.data,
    thumbnail,
    width: processed.info.width,
    height: processed.info.height,
    adjustments,
    ...(crop ? { crop } : {}),
    rotation,
    quality,
  };
}

// ---------------------------------------------------------------------------------------------
// input

async function firstBytes(input: string | Buffer, n: number): Promise<Buffer> {
  if (Buffer.isBuffer(input)) return input.subarray(0, n);
  const file = await open(input, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await file.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

function decodeProblem(e: unknown): PhotoProblem {
  const message = e instanceof Error ? e.message : String(e);
  const problem = /pixel limit/i.test(message)
    ? new PhotoProblem('IMAGE_TOO_LARGE', MESSAGES.tooLarge, { maxPixels: PHOTO_LIMITS.maxPixels })
    : new PhotoProblem('IMAGE_CORRUPT', MESSAGES.corrupt);
  problem.cause = e;
  return problem;
}

async function downscale(image: Rgb, longSide: number): Promise<Rgb> {
  const scale = longSide / math.max(image.width, image.height);
  if (scale >= 1) return image;
  const width = math.max(1, math.round(image.width * scale));
  const height = math.max(1, math.round(image.height * scale));
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer();
  return { data, width, height };
}

/** Maps a box of the analysis copy to the original, padded by `pad` of its size per side, clamped. */
function toOriginal(box: Rect, pad: number, sx: number, sy: number, width: number, height: number): Rect {
  const px = box.width * pad;
  const py = box.height * pad;
  const left = math.max(0, math.floor((box.left - px) * sx));
  const top = math.max(0, math.floor((box.top - py) * sy));
  const right = math.min(width, math.ceil((box.left + box.width + px) * sx));
  const bottom = math.min(height, math.ceil((box.top + box.height + py) * sy));
  return { left, top, width: right - left, height: bottom - top };
}

/** "Not found" — unless the whole frame is simply too dark, which is the better advice. */
function notFound(
  small: Rgb,
  kind: PhotoKind,
  message: string,
  details: Record<string, number | string>,
): PhotoProblem {
  const frameLuminance = measure(small, 0).meanLuminance;
  if (frameLuminance < PHOTO_LIMITS.minMeanLuminance) {
    return new PhotoProblem('PHOTO_TOO_DARK', MESSAGES.dark(kind), { meanLuminance: round(frameLuminance, 1) });
  }
  return new PhotoProblem('CARD_NOT_FOUND', message, details);
}

// ---------------------------------------------------------------------------------------------
// pixel helpers (small images only)

const luma = (r: number, g: number, b: number) => 0.299 * r + 0.587 * g + 0.114 * b;
const round = (v: number, digits: number) => math.round(v * 10 ** digits) / 10 ** digits;

type Colour = [number, number, number];

/** Per-channel median of the pixels for which `take(x, y)` is true, within `area`. */
function medianColour(img: Rgb, area: Rect, take?: (x: number, y: number) => boolean): Colour {
  const hist = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  let n = 0;
  for (let y = area.top; y < area.top + area.height; y++) {
    for (let x = area.left; x < area.left + area.width; x++) {
      if (take && !take(x, y)) continue;
      const i = (y * img.width + x) * 3;
      hist[0][img.data[i]]++;
      hist[1][img.data[i + 1]]++;
      hist[2][img.data[i + 2]]++;
      n++;
    }
  }
  return hist.map((h) => percentile(h, n, 0.5)) as Colour;
}

function percentile(hist: Uint32Array, n: number, p: number): number {
  const target = n * p;
  let acc = 0;
  for (let v = 0; v < hist.length; v++) {
    acc += hist[v];
    if (acc > target) return v;
  }
  return hist.length - 1;
}

const distance = (a: Colour, b: Colour) => math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

/** Otsu's threshold of a histogram. */
function otsu(hist: Uint32Array): number {
  let total = 0;
  let sum = 0;
  for (let v = 0; v < hist.length; v++) {
    total += hist[v];
    sum += v * hist[v];
  }
  let wB = 0;
  let sumB = 0;
  let best = 0;
  let threshold = 0;
  for (let t = 0; t < hist.length; t++) {
    wB += hist[t];
    if (!wB) continue;
    const wF = total - wB;
    if (!wF) break;
    sumB += t * hist[t];
    const mB = sumB / wB;
    const mF = (sum - sumB) / wF;
    const between = wB * wF * (mB - mF) ** 2;
    if (between > best) {
      best = between;
      threshold = t;
    }
  }
  return threshold;
}

/**
 * Largest connected component of `mask` (4- or 8-connected); returns its per-row and per-column
 * pixel counts, or null when the mask is empty.
 */
function largestComponent(
  mask: Uint8Array,
  width: number,
  height: number,
  eight = false,
): { rows: Uint32Array; cols: Uint32Array; size: number } | null {
  const labels = new Int32Array(width * height);
  const stack = new Int32Array(width * height);
  let bestLabel = 0;
  let bestSize = 0;
  let label = 0;
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue;
    label++;
    let size = 0;
    let sp = 0;
    stack[sp++] = start;
    labels[start] = label;
    while (sp) {
      const p = stack[--sp];
      size++;
      const x = p % width;
      const y = (p - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          if ((!dx && !dy) || (!eight && dx && dy)) continue;
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const q = ny * width + nx;
          if (mask[q] && !labels[q]) {
            labels[q] = label;
            stack[sp++] = q;
          }
        }
      }
    }
    if (size > bestSize) {
      bestSize = size;
      bestLabel = label;
    }
  }
  if (!bestLabel) return null;
  const rows = new Uint32Array(height);
  const cols = new Uint32Array(width);
  for (let p = 0; p < labels.length; p++) {
    if (labels[p] !== bestLabel) continue;
    const x = p % width;
    rows[(p - x) / width]++;
    cols[x]++;
  }
  return { rows, cols, size: bestSize };
}

/** First and last index whose count reaches `share` of the maximum count. */
function span(counts: Uint32Array, share: number): [number, number] {
  let max = 0;
  for (const c of counts) max = math.max(max, c);
  const min = math.max(1, max * share);
  let a = 0;
  while (a < counts.length && counts[a] < min) a++;
  let b = counts.length - 1;
  while (b > a && counts[b] < min) b--;
  return [a, b];
}

// ---------------------------------------------------------------------------------------------
// 4. the card against its background

interface CardSearch {
  box: Rect | null;
  reason?: 'LOW_CONTRAST' | 'CARD_TOO_SMALL';
  /** Card (or frame centre) vs background, RGB distance. */
  contrast: number;
  /** Bounding box area / frame area. */
  coverage: number;
  /** The card's base colour (median inside the box). */
  base: Colour;
}

/**
 * Background = per-channel median of the outer {@link PHOTO_LIMITS.borderBand} of the frame. Each
 * pixel's RGB distance to it is thresholded (Otsu, floored by the border's own noise and
 * `minForegroundDistance`); the largest 4-connected foreground component is the card, and its
 * bounding box is trimmed of rows/columns holding < 10 % of the fullest row/column (thin things
 * touching the card, e.g. fingers). Not found when the box is < `minCardArea` of the frame, or the
 * median colour inside it is < `minCardContrast` from the background, or it is darker than the
 * background (ID cards are light and the guidance asks for a dark background; this also keeps a
 * photo taken too close — the border then being the card itself — from being cut to the portrait).
 * A frame with the ID-1 aspect whose light border has the colour of its centre is taken as a photo
 * already cut to the card.
 *
 * The reason given (for the message): LOW_CONTRAST when a large but faint card was found or the
 * frame's centre differs only faintly (≥ 8, < `minCardContrast`) from the border; CARD_TOO_SMALL
 * (too small or incomplete) otherwise.
 */
/** Centre-to-border distance above which the centre is taken for a (faint) card rather than background. */
const FAINT_CONTRAST = 8;

function findCard(img: Rgb): CardSearch {
  const { width: w, height: h, data } = img;
  const bx = math.max(2, math.round(w * PHOTO_LIMITS.borderBand));
  const by = math.max(2, math.round(h * PHOTO_LIMITS.borderBand));
  const inBorder = (x: number, y: number) => x < bx || x >= w - bx || y < by || y >= h - by;
  const frame = { left: 0, top: 0, width: w, height: h };
  const background = medianColour(img, frame, inBorder);
  const centreArea = {
    left: math.round(w / 4),
    top: math.round(h / 4),
    width: math.round(w / 2),
    height: math.round(h / 2),
  };
  const centre = medianColour(img, centreArea);
  const centreContrast = distance(background, centre);

  // already cut to the card: nothing to find, nothing to crop
  const aspect = math.max(w, h) / math.min(w, h);
  if (
    math.abs(aspect / PHOTO_LIMITS.cardAspect - 1) <= PHOTO_LIMITS.cardAspectTolerance &&
    centreContrast < PHOTO_LIMITS.minCardContrast &&
    luma(...background) >= 100
  ) {
    return { box: frame, contrast: centreContrast, coverage: 1, base: centre };
  }

  const dist = new Uint16Array(w * h);
  const all = new Uint32Array(256);
  const border = new Uint32Array(256);
  let borderCount = 0;
  for (let y = 0, p = 0; y < h; y++) {
    for (let x = 0; x < w; x++, p++) {
      const i = p * 3;
      const d = math.min(
        255,
        math.round(math.hypot(data[i] - background[0], data[i + 1] - background[1], data[i + 2] - background[2])),
      );
      dist[p] = d;
      all[d]++;
      if (inBorder(x, y)) {
        border[d]++;
        borderCount++;
      }
    }
  }
  const threshold = math.max(
    otsu(all),
    3 * percentile(border, borderCount, 0.5) + 10,
    PHOTO_LIMITS.minForegroundDistance,
  );
  const mask = new Uint8Array(w * h);
  for (let p = 0; p < mask.length; p++) mask[p] = dist[p] > threshold ? 1 : 0;
  const component = largestComponent(mask, w, h);
  // the centre differs a little from the border: most likely a card too close to the background's colour
  const faintCentre = centreContrast >= FAINT_CONTRAST && centreContrast < PHOTO_LIMITS.minCardContrast;
  if (!component) {
    return {
      box: null,
      reason: faintCentre ? 'LOW_CONTRAST' : 'CARD_TOO_SMALL',
      contrast: centreContrast,
      coverage: 0,
      base: centre,
    };
  }
  const [top, bottom] = span(component.rows, 0.1);
  const [left, right] = span(component.cols, 0.1);
  const box = { left, top, width: right - left + 1, height: bottom - top + 1 };
  const coverage = (box.width * box.height) / (w * h);
  const base = medianColour(img, box);
  const contrast = distance(background, base);
  const lighter = luma(...base) > luma(...background);
  if (coverage < PHOTO_LIMITS.minCardArea || contrast < PHOTO_LIMITS.minCardContrast || !lighter) {
    const faintCard = coverage >= PHOTO_LIMITS.minCardArea && lighter && contrast < PHOTO_LIMITS.minCardContrast;
    return {
      box: null,
      reason: faintCard || faintCentre ? 'LOW_CONTRAST' : 'CARD_TOO_SMALL',
      contrast: faintCard ? contrast : centreContrast,
      coverage,
      base,
    };
  }
  return { box, contrast, coverage, base };
}

// ---------------------------------------------------------------------------------------------
// 5. upright

/**
 * Chooses the clockwise turn that makes the card landscape and upright. Heuristic from the real
 * cards' layout: the front's portrait photo is a large dense block in the right part, the back's
 * emblem a large dense red block in the left part; text is thin and sparse.
 *
 * Per pixel, ink = (card base luminance − luminance)⁺ + (chroma − base chroma)⁺, ignored below
 * `inkFloor`. The card (without its outer 4 %) is divided into square cells (1/32 of its long
 * side); a cell weighs mean-ink², which favours dense blocks over text. The outer thirds along the
 * long side are compared: for the landscape candidate with the smaller rotation (0 for a
 * landscape box, 90 for a portrait one) the heavier third must be on the right (front) or on the
 * left (back), otherwise the card is turned a further 180°. When the relative difference is below
 * `orientationMargin` the smaller rotation is kept.
 */
function chooseRotation(img: Rgb, box: Rect, base: Colour, kind: PhotoKind): Turn {
  const landscape = box.width >= box.height;
  const baseTurn: Turn = landscape ? 0 : 90;
  const ix = math.round(box.width * 0.04);
  const iy = math.round(box.height * 0.04);
  const area = { left: box.left + ix, top: box.top + iy, width: box.width - 2 * ix, height: box.height - 2 * iy };
  if (area.width < 3 || area.height < 3) return baseTurn;
  const cell = math.max(1, math.round(math.max(area.width, area.height) / 32));
  const cw = math.ceil(area.width / cell);
  const ch = math.ceil(area.height / cell);
  const sums = new Float64Array(cw * ch);
  const counts = new Uint32Array(cw * ch);
  const baseLuma = luma(...base);
  const baseChroma = math.max(...base) - math.min(...base);
  for (let y = 0; y < area.height; y++) {
    const row = math.floor(y / cell) * cw;
    let i = ((area.top + y) * img.width + area.left) * 3;
    for (let x = 0; x < area.width; x++, i += 3) {
      const r = img.data[i];
      const g = img.data[i + 1];
      const b = img.data[i + 2];
      let ink = math.max(0, baseLuma - luma(r, g, b)) + math.max(0, math.max(r, g, b) - math.min(r, g, b) - baseChroma);
      if (ink < PHOTO_LIMITS.inkFloor) ink = 0;
      const c = row + math.floor(x / cell);
      sums[c] += ink;
      counts[c]++;
    }
  }
  // outer thirds along the long side: `start` = left (landscape) / top (portrait)
  let start = 0;
  let end = 0;
  for (let cy = 0; cy < ch; cy++) {
    for (let cx = 0; cx < cw; cx++) {
      const c = cy * cw + cx;
      if (!counts[c]) continue;
      const mean = sums[c] / counts[c];
      const pos = landscape ? (cx + 0.5) / cw : (cy + 0.5) / ch;
      if (pos < 1 / 3) start += mean * mean;
      else if (pos > 2 / 3) end += mean * mean;
    }
  }
  // turning a portrait box 90° clockwise puts its bottom on the left
  const left = landscape ? start : end;
  const right = landscape ? end : start;
  // a bank card has no layout to read the upright from: landscape is all that is asked
  if (kind === 'BANK_CARD') return baseTurn;
  if (left + right === 0 || math.abs(left - right) / (left + right) < PHOTO_LIMITS.orientationMargin) return baseTurn;
  const heavyRight = right > left;
  const upright = kind === 'ID_CARD_FRONT' ? heavyRight : !heavyRight;
  return upright ? baseTurn : ((baseTurn + 180) as Turn);
}

// ---------------------------------------------------------------------------------------------
// 6. the signature's ink

/**
 * Paper = per-channel median of the frame's central 60 %. Ink = pixels darker than
 * `signatureInkRatio` × the paper's luminance, or clearly blue (blue exceeds red and green by 40
 * and the paper's own blue excess by 40). Dark or coloured regions connected to the frame's edge
 * (the desk around the sheet, shadows) are not ink. Ink components smaller than 0.2 % of all ink
 * (specks) are dropped; the box is that of the rest.
 */
function findInk(img: Rgb): { box: Rect; contrast: number } | null {
  const { width: w, height: h, data } = img;
  const paper = medianColour(img, {
    left: math.round(w * 0.2),
    top: math.round(h * 0.2),
    width: math.round(w * 0.6),
    height: math.round(h * 0.6),
  });
  const paperLuma = luma(...paper);
  const paperBlue = paper[2] - math.max(paper[0], paper[1]);
  const notPaper = new Uint8Array(w * h);
  const ink = new Uint8Array(w * h);
  for (let p = 0, i = 0; p < ink.length; p++, i += 3) {
    const r = data[i];
    const g = data[i + 1];
    const b = data[i + 2];
    const l = luma(r, g, b);
    const blue = b - math.max(r, g);
    if (l < paperLuma * PHOTO_LIMITS.signatureInkRatio || (blue > 40 && blue - paperBlue > 40)) ink[p] = 1;
    if (ink[p] || math.hypot(r - paper[0], g - paper[1], b - paper[2]) > 40) notPaper[p] = 1;
  }
  // flood the non-paper regions touching the frame's edge: they are outside the sheet
  const stack = new Int32Array(w * h);
  let sp = 0;
  const push = (p: number) => {
    if (notPaper[p] === 1) {
      notPaper[p] = 2;
      stack[sp++] = p;
    }
  };
  for (let x = 0; x < w; x++) {
    push(x);
    push((h - 1) * w + x);
  }
  for (let y = 0; y < h; y++) {
    push(y * w);
    push(y * w + w - 1);
  }
  while (sp) {
    const p = stack[--sp];
    const x = p % w;
    if (x > 0) push(p - 1);
    if (x < w - 1) push(p + 1);
    if (p >= w) push(p - w);
    if (p < (h - 1) * w) push(p + w);
  }
  let total = 0;
  for (let p = 0; p < ink.length; p++) {
    if (notPaper[p] === 2) ink[p] = 0;
    total += ink[p];
  }
  if (!total) return null;
  // components, dropping specks
  const labels = new Int32Array(w * h);
  const minSize = math.max(2, total * 0.002);
  let left = w;
  let top = h;
  let right = -1;
  let bottom = -1;
  let kept = 0;
  let inkLumaSum = 0;
  const members: number[] = [];
  let label = 0;
  for (let s = 0; s < ink.length; s++) {
    if (!ink[s] || labels[s]) continue;
    label++;
    members.length = 0;
    sp = 0;
    stack[sp++] = s;
    labels[s] = label;
    while (sp) {
      const p = stack[--sp];
      members.push(p);
      const x = p % w;
      const y = (p - x) / w;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= w) continue;
          const q = ny * w + nx;
          if (ink[q] && !labels[q]) {
            labels[q] = label;
            stack[sp++] = q;
          }
        }
      }
    }
    if (members.length < minSize) continue;
    for (const p of members) {
      const x = p % w;
      const y = (p - x) / w;
      if (x < left) left = x;
      if (x > right) right = x;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
      inkLumaSum += luma(data[p * 3], data[p * 3 + 1], data[p * 3 + 2]);
      kept++;
    }
  }
  if (!kept) return null;
  return {
    box: { left, top, width: right - left + 1, height: bottom - top + 1 },
    contrast: paperLuma - inkLumaSum / kept,
  };
}

// ---------------------------------------------------------------------------------------------
// 7. quality measures

/**
 * Mean luminance and blown-out share over `img` without `inset` of each side, and the variance of
 * the 4-neighbour Laplacian of the luminance after stretching its 1st–99th percentiles to 0–255
 * (so that the measure depends on focus, not on exposure).
 */
function measure(img: Rgb, inset: number): { meanLuminance: number; glareFraction: number; sharpness: number } {
  const { width: w, height: h, data } = img;
  const x0 = math.floor(w * inset);
  const y0 = math.floor(h * inset);
  const x1 = math.max(x0 + 1, w - x0);
  const y1 = math.max(y0 + 1, h - y0);
  const rw = x1 - x0;
  const rh = y1 - y0;
  const gray = new Float32Array(rw * rh);
  const hist = new Uint32Array(256);
  let sum = 0;
  let blown = 0;
  const level = PHOTO_LIMITS.glareLevel;
  for (let y = y0, k = 0; y < y1; y++) {
    for (let x = x0, i = (y * w + x0) * 3; x < x1; x++, i += 3, k++) {
      const r = data[i];
      const g = data[i + 1];
      const b = data[i + 2];
      const l = luma(r, g, b);
      gray[k] = l;
      hist[math.round(l)]++;
      sum += l;
      if (r >= level && g >= level && b >= level) blown++;
    }
  }
  const n = rw * rh;
  const lo = percentile(hist, n, 0.01);
  const hi = percentile(hist, n, 0.99);
  const gain = hi - lo >= 16 ? 255 / (hi - lo) : 1;
  let lapSum = 0;
  let lapSq = 0;
  let m = 0;
  for (let y = 1; y < rh - 1; y++) {
    for (let x = 1, k = y * rw + 1; x < rw - 1; x++, k++) {
      const lap = (4 * gray[k] - gray[k - 1] - gray[k + 1] - gray[k - rw] - gray[k + rw]) * gain;
      lapSum += lap;
      lapSq += lap * lap;
      m++;
    }
  }
  const sharpness = m ? lapSq / m - (lapSum / m) ** 2 : 0;
  return { meanLuminance: sum / n, glareFraction: blown / n, sharpness };
}
