import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import {
  PHOTO_LIMITS,
  PhotoProblem,
  isJpegMagic,
  processPhoto,
  type PhotoKind,
  type PhotoProblemCode,
  type ProcessedPhoto,
} from './image-pipeline';
import {
  CAMERA_MAKE,
  CARD_HEIGHT,
  CARD_WIDTH,
  LAYOUT,
  LOW_CONTRAST_BACKGROUND,
  addCameraMetadata,
  makeHugeHeaderJpeg,
  makeIdPhoto,
  makePng,
  makeSignaturePhoto,
  truncate,
  type IdPhotoOptions,
  type QuarterTurn,
  type Rect,
} from './testing/synthetic-photos';

const CHINESE = /[\u4e00-\u9fff]/;

async function problemOf(run: Promise<unknown>, code: PhotoProblemCode): Promise<PhotoProblem> {
  let caught: unknown;
  try {
    await run;
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(PhotoProblem);
  const problem = caught as PhotoProblem;
  expect(problem.code).toBe(code);
  expect(problem.message).toMatch(CHINESE);
  return problem;
}

/** Every edge of `crop` within 3 % of the card's size from the card's edge. */
function expectCropNear(crop: Rect | undefined, card: Rect, tolerance = 0.03): void {
  expect(crop).toBeDefined();
  const c = crop!;
  const tx = card.width * tolerance;
  const ty = card.height * tolerance;
  expect(Math.abs(c.left - card.left)).toBeLessThanOrEqual(tx);
  expect(Math.abs(c.top - card.top)).toBeLessThanOrEqual(ty);
  expect(Math.abs(c.left + c.width - (card.left + card.width))).toBeLessThanOrEqual(tx);
  expect(Math.abs(c.top + c.height - (card.top + card.height))).toBeLessThanOrEqual(ty);
}

/** Mean R, G, B and luminance of a region of a JPEG given in fractions of its size. */
async function regionMean(
  jpeg: Buffer,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): Promise<{ r: number; g: number; b: number; l: number }> {
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  let r = 0;
  let g = 0;
  let b = 0;
  let n = 0;
  for (let y = Math.floor(y0 * info.height); y < Math.floor(y1 * info.height); y++) {
    for (let x = Math.floor(x0 * info.width); x < Math.floor(x1 * info.width); x++) {
      const i = (y * info.width + x) * info.channels;
      r += data[i];
      g += data[i + 1];
      b += data[i + 2];
      n++;
    }
  }
  return { r: r / n, g: g / n, b: b / n, l: (0.299 * r + 0.587 * g + 0.114 * b) / n };
}

/**
 * The output is the upright card: the front's portrait block on the right (darker than the same
 * place mirrored), the back's red emblem top-left (and neither top-right nor bottom-left). Regions
 * come from the generator's LAYOUT, shrunk by 10 % of their size; the output's 1 % padding is
 * within that slack.
 */
async function expectUpright(out: ProcessedPhoto, kind: PhotoKind): Promise<void> {
  expect(out.width).toBeGreaterThan(out.height);
  const region = (x0: number, y0: number, x1: number, y1: number) => {
    const dx = (x1 - x0) * 0.1;
    const dy = (y1 - y0) * 0.1;
    return regionMean(out.processed, x0 + dx, y0 + dy, x1 - dx, y1 - dy);
  };
  if (kind === 'ID_CARD_FRONT') {
    const p = LAYOUT.portrait;
    const portrait = await region(p.left, p.top, p.left + p.width, p.top + p.height);
    const mirrored = await region(1 - p.left - p.width, p.top, 1 - p.left, p.top + p.height);
    expect(portrait.l).toBeLessThan(mirrored.l - 40);
  } else {
    // the square inscribed in the emblem's disc
    const e = LAYOUT.emblem;
    const hx = (e.r * CARD_HEIGHT) / CARD_WIDTH / Math.SQRT2;
    const hy = e.r / Math.SQRT2;
    const emblem = await region(e.cx - hx, e.cy - hy, e.cx + hx, e.cy + hy);
    const mirrored = await region(1 - e.cx - hx, e.cy - hy, 1 - e.cx + hx, e.cy + hy);
    const below = await region(e.cx - hx, 1 - e.cy - hy, e.cx + hx, 1 - e.cy + hy);
    expect(emblem.r - emblem.b).toBeGreaterThan(100);
    expect(mirrored.r - mirrored.b).toBeLessThan(20);
    expect(below.r - below.b).toBeLessThan(20);
  }
}

const KIND = { FRONT: 'ID_CARD_FRONT', BACK: 'ID_CARD_BACK' } as const;

describe('isJpegMagic', () => {
  it('recognises JPEG by its first three bytes', () => {
    expect(isJpegMagic(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe(true);
    expect(isJpegMagic(Buffer.from([0xff, 0xd8, 0xff]))).toBe(true);
    expect(isJpegMagic(Buffer.from([0x89, 0x50, 0x4e, 0x47]))).toBe(false);
    expect(isJpegMagic(Buffer.from([0xff, 0xd8]))).toBe(false);
    expect(isJpegMagic(Buffer.alloc(0))).toBe(false);
  });
});

describe('ID card photos: crop and rotation', () => {
  it.each([
    ['FRONT', 0],
    ['FRONT', 90],
    ['FRONT', 180],
    ['FRONT', 270],
    ['BACK', 0],
    ['BACK', 90],
    ['BACK', 180],
    ['BACK', 270],
  ] as const)('%s card turned %i° on a dark background', async (side, turn) => {
    const photo = await makeIdPhoto({ side, cardRotation: turn });
    const out = await processPhoto(photo.jpeg, KIND[side]);
    expectCropNear(out.crop, photo.subject);
    const undo = ((360 - turn) % 360) as QuarterTurn;
    expect(out.rotation).toBe(undo);
    expect(out.adjustments).toEqual(undo ? ['CROPPED', 'ROTATED'] : ['CROPPED']);
    const turned = undo === 90 || undo === 270;
    expect([out.width, out.height]).toEqual(
      turned ? [out.crop!.height, out.crop!.width] : [out.crop!.width, out.crop!.height],
    );
    await expectUpright(out, KIND[side]);
    const thumb = await sharp(out.thumbnail).metadata();
    expect(thumb.width).toBe(PHOTO_LIMITS.thumbnailSize);
    expect(thumb.width / thumb.height).toBeCloseTo(out.width / out.height, 1);
    await expectUpright({ ...out, processed: out.thumbnail, width: thumb.width, height: thumb.height }, KIND[side]);
  });

  it.each([
    ['FRONT', 6, 0],
    ['FRONT', 3, 0],
    ['FRONT', 8, 0],
    ['BACK', 6, 0],
    ['BACK', 8, 180],
    ['FRONT', 6, 90],
  ] as const)(
    '%s card stored turned with EXIF orientation %i (card turned %i° in the scene)',
    async (side, exifOrientation, turn) => {
      const photo = await makeIdPhoto({ side, exifOrientation, cardRotation: turn, left: 300, top: 250 });
      expect((await sharp(photo.jpeg).metadata()).orientation).toBe(exifOrientation);
      const out = await processPhoto(photo.jpeg, KIND[side]);
      // the crop is in the coordinates of the oriented (displayed) photo
      expectCropNear(out.crop, photo.subject);
      expect(out.rotation).toBe((360 - turn) % 360);
      expect(out.adjustments).toEqual(turn ? ['AUTO_ORIENTED', 'CROPPED', 'ROTATED'] : ['AUTO_ORIENTED', 'CROPPED']);
      await expectUpright(out, KIND[side]);
    },
  );

  it('keeps the landscape candidate with the smaller rotation when the layout tells nothing', async () => {
    for (const [turn, rotation] of [
      [90, 90],
      [270, 90],
      [180, 0],
    ] as const) {
      const photo = await makeIdPhoto({ side: 'FRONT', stripes: true, cardRotation: turn });
      const out = await processPhoto(photo.jpeg, 'ID_CARD_FRONT');
      expectCropNear(out.crop, photo.subject);
      expect(out.rotation).toBe(rotation);
      expect(out.adjustments).toEqual(rotation ? ['CROPPED', 'ROTATED'] : ['CROPPED']);
      expect(out.width).toBeGreaterThan(out.height);
    }
  });

  it('does not crop a card that already fills the frame (≥ 95 %)', async () => {
    const photo = await makeIdPhoto({ side: 'BACK', frameWidth: 876, frameHeight: 554, left: 10, top: 7 });
    const out = await processPhoto(photo.jpeg, 'ID_CARD_BACK');
    expect(out.crop).toBeUndefined();
    expect(out.adjustments).toEqual([]);
    expect([out.width, out.height]).toEqual([876, 554]);
  });

  it('takes a photo already cut to the card as it is', async () => {
    const photo = await makeIdPhoto({ side: 'FRONT', frameWidth: 856, frameHeight: 540, left: 0, top: 0 });
    const out = await processPhoto(photo.jpeg, 'ID_CARD_FRONT');
    expect(out.crop).toBeUndefined();
    expect(out.rotation).toBe(0);
    expect(out.adjustments).toEqual([]);
    await expectUpright(out, 'ID_CARD_FRONT');
  });

  it('crops and turns a card photographed off-centre in a portrait frame', async () => {
    const photo = await makeIdPhoto({
      side: 'FRONT',
      frameWidth: 900,
      frameHeight: 1200,
      cardWidth: 760,
      cardRotation: 270,
      left: 120,
      top: 200,
    });
    const out = await processPhoto(photo.jpeg, 'ID_CARD_FRONT');
    expectCropNear(out.crop, photo.subject);
    expect(out.rotation).toBe(90);
    await expectUpright(out, 'ID_CARD_FRONT');
  });

  it('reads a file from disk', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kaihu-photo-'));
    try {
      const photo = await makeIdPhoto({ side: 'FRONT' });
      const file = path.join(dir, 'front.jpg');
      await writeFile(file, photo.jpeg);
      const out = await processPhoto(file, 'ID_CARD_FRONT');
      expectCropNear(out.crop, photo.subject);
      const png = path.join(dir, 'renamed.jpg');
      await writeFile(png, await makePng());
      await problemOf(processPhoto(png, 'ID_CARD_FRONT'), 'UNSUPPORTED_FILE_TYPE');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('ID card photos: output', () => {
  let photo: Awaited<ReturnType<typeof makeIdPhoto>>;
  let tagged: Buffer;
  let out: ProcessedPhoto;

  beforeAll(async () => {
    photo = await makeIdPhoto({ side: 'FRONT', exifOrientation: 6 });
    tagged = await addCameraMetadata(photo.jpeg);
    out = await processPhoto(tagged, 'ID_CARD_FRONT');
  });

  it('strips EXIF (with GPS), XMP and the ICC profile, and converts to sRGB', async () => {
    const input = await sharp(tagged).metadata();
    expect(input.exif?.includes(CAMERA_MAKE)).toBe(true);
    expect(input.exif?.includes(Buffer.from([0x25, 0x88]))).toBe(true); // GPSInfo IFD pointer (tag 0x8825, little-endian)
    expect(tagged.includes(Buffer.from('Exif\0\0'))).toBe(true);
    expect(input.hasProfile).toBe(true);
    expect(input.xmp).toBeDefined();

    for (const jpeg of [out.processed, out.thumbnail]) {
      expect(isJpegMagic(jpeg)).toBe(true);
      const meta = await sharp(jpeg).metadata();
      expect(meta.format).toBe('jpeg');
      expect(meta.exif).toBeUndefined();
      expect(meta.xmp).toBeUndefined();
      expect(meta.icc).toBeUndefined();
      expect(meta.hasProfile).toBe(false);
      expect(meta.orientation).toBeUndefined();
      expect(meta.space).toBe('srgb');
      expect(jpeg.includes(Buffer.from('Exif\0\0'))).toBe(false);
      expect(jpeg.includes(Buffer.from(CAMERA_MAKE))).toBe(false);
    }
    // the P3 pixels came back to sRGB: the card's base colour is #e9eef2 again
    const base = await regionMean(out.processed, 0.1, 0.66, 0.5, 0.77);
    expect(Math.abs(base.r - 0xe9)).toBeLessThan(8);
    expect(Math.abs(base.g - 0xee)).toBeLessThan(8);
    expect(Math.abs(base.b - 0xf2)).toBeLessThan(8);
    expect(out.adjustments).toEqual(['AUTO_ORIENTED', 'CROPPED']);
  });

  it('makes a 320 px thumbnail of the processed card', async () => {
    const meta = await sharp(out.thumbnail).metadata();
    expect(Math.max(meta.width, meta.height)).toBe(PHOTO_LIMITS.thumbnailSize);
    expect(meta.width / meta.height).toBeCloseTo(out.width / out.height, 1);
    const real = await sharp(out.processed).metadata();
    expect([real.width, real.height]).toEqual([out.width, out.height]);
  });

  it('reports the measured quality of a good photo, which passes every check', () => {
    expect(out.quality.meanLuminance).toBeGreaterThan(PHOTO_LIMITS.minMeanLuminance);
    expect(out.quality.meanLuminance).toBeLessThan(PHOTO_LIMITS.maxMeanLuminance);
    expect(out.quality.glareFraction).toBeLessThan(PHOTO_LIMITS.maxGlareFraction);
    expect(out.quality.sharpness).toBeGreaterThan(PHOTO_LIMITS.minSharpness * 5);
    expect(out.quality.contrast).toBeGreaterThan(PHOTO_LIMITS.minCardContrast * 5);
  });
});

describe('file problems', () => {
  it('refuses a PNG whatever its name', async () => {
    await problemOf(processPhoto(await makePng(), 'ID_CARD_FRONT'), 'UNSUPPORTED_FILE_TYPE');
    await problemOf(processPhoto(Buffer.from('not a photo at all'), 'SIGNATURE'), 'UNSUPPORTED_FILE_TYPE');
  });

  it('refuses a JPEG cut in half, and garbage behind a JPEG signature', async () => {
    const photo = await makeIdPhoto({ side: 'FRONT' });
    await problemOf(processPhoto(truncate(photo.jpeg, 0.5), 'ID_CARD_FRONT'), 'IMAGE_CORRUPT');
    await problemOf(processPhoto(truncate(photo.jpeg, 0.001), 'ID_CARD_FRONT'), 'IMAGE_CORRUPT');
    await problemOf(
      processPhoto(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 7)]), 'ID_CARD_FRONT'),
      'IMAGE_CORRUPT',
    );
  });

  it('refuses a header claiming 60000×60000 pixels without decoding it', async () => {
    const huge = await makeHugeHeaderJpeg(60000, 60000);
    expect(huge.length).toBeLessThan(5000);
    const before = process.memoryUsage().rss;
    const problem = await problemOf(processPhoto(huge, 'ID_CARD_FRONT'), 'IMAGE_TOO_LARGE');
    expect(problem.details).toMatchObject({ width: 60000, height: 60000, maxPixels: PHOTO_LIMITS.maxPixels });
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
    // just over the limit is refused too; a size within it is decoded (libjpeg fills the missing
    // rows with grey and only warns, which failOn 'truncated' lets through: no card in it)
    await problemOf(processPhoto(await makeHugeHeaderJpeg(10000, 5001), 'ID_CARD_FRONT'), 'IMAGE_TOO_LARGE');
    await problemOf(processPhoto(await makeHugeHeaderJpeg(1000, 800), 'ID_CARD_FRONT'), 'CARD_NOT_FOUND');
  });

  it('refuses photos below the minimum size, after orientation', async () => {
    const tiny = await makeIdPhoto({ side: 'FRONT', frameWidth: 500, frameHeight: 300, cardWidth: 400 });
    const problem = await problemOf(processPhoto(tiny.jpeg, 'ID_CARD_FRONT'), 'IMAGE_TOO_SMALL');
    expect(problem.details).toMatchObject({ width: 500, height: 300 });
    const narrow = await makeIdPhoto({ side: 'BACK', frameWidth: 639, frameHeight: 480, cardWidth: 540 });
    await problemOf(processPhoto(narrow.jpeg, 'ID_CARD_BACK'), 'IMAGE_TOO_SMALL');
    // 400×640 stored as 640×400 turned by EXIF: long side 640, short side 400 — big enough
    const portrait = await makeIdPhoto({
      side: 'FRONT',
      frameWidth: 400,
      frameHeight: 640,
      cardWidth: 360,
      cardRotation: 90,
      exifOrientation: 6,
    });
    const out = await processPhoto(portrait.jpeg, 'ID_CARD_FRONT');
    expect(out.adjustments).toEqual(['AUTO_ORIENTED', 'CROPPED', 'ROTATED']);
    const signature = await makeSignaturePhoto({
      frameWidth: 290,
      frameHeight: 200,
      ink: { left: 40, top: 60, width: 200, height: 70 },
    });
    await problemOf(processPhoto(signature.jpeg, 'SIGNATURE'), 'IMAGE_TOO_SMALL');
  });
});

describe('photo problems', () => {
  it('CARD_NOT_FOUND when the background is close to the card colour', async () => {
    const photo = await makeIdPhoto({ side: 'FRONT', background: LOW_CONTRAST_BACKGROUND });
    const problem = await problemOf(processPhoto(photo.jpeg, 'ID_CARD_FRONT'), 'CARD_NOT_FOUND');
    expect(problem.message).toContain('反差');
    expect(problem.details).toMatchObject({ reason: 'LOW_CONTRAST' });
    expect(problem.details!.contrast).toBeLessThan(PHOTO_LIMITS.minCardContrast);
  });

  it('CARD_NOT_FOUND when the card is a small part of the photo', async () => {
    const photo = await makeIdPhoto({ side: 'BACK', cardWidth: 420, left: 100, top: 100 });
    const problem = await problemOf(processPhoto(photo.jpeg, 'ID_CARD_BACK'), 'CARD_NOT_FOUND');
    expect(problem.details).toMatchObject({ reason: 'CARD_TOO_SMALL' });
    expect(problem.details!.coverage).toBeLessThan(PHOTO_LIMITS.minCardArea);
  });

  it('CARD_NOT_FOUND when the photo was taken so close that the frame cuts the card off', async () => {
    const photo = await makeIdPhoto({
      side: 'FRONT',
      frameWidth: 1200,
      frameHeight: 900,
      cardWidth: 1500,
      left: -120,
      top: -20,
    });
    const problem = await problemOf(processPhoto(photo.jpeg, 'ID_CARD_FRONT'), 'CARD_NOT_FOUND');
    expect(problem.details).toMatchObject({ reason: 'CARD_TOO_SMALL' });
    expect(problem.message).toContain('不完整');
  });

  it('PHOTO_TOO_DARK for a dark photo, with the threshold exercised on both sides', async () => {
    const dark = await makeIdPhoto({ side: 'FRONT', brightness: 0.15 });
    const problem = await problemOf(processPhoto(dark.jpeg, 'ID_CARD_FRONT'), 'PHOTO_TOO_DARK');
    expect(problem.message).toContain('光线充足');
    expect(problem.details!.meanLuminance).toBeLessThan(40);

    const good = await processPhoto((await makeIdPhoto({ side: 'FRONT' })).jpeg, 'ID_CARD_FRONT');
    const atThreshold = PHOTO_LIMITS.minMeanLuminance / good.quality.meanLuminance;
    const justBelow = await makeIdPhoto({ side: 'FRONT', brightness: atThreshold * 0.94 });
    const below = await problemOf(processPhoto(justBelow.jpeg, 'ID_CARD_FRONT'), 'PHOTO_TOO_DARK');
    expect(below.details!.meanLuminance).toBeGreaterThan(PHOTO_LIMITS.minMeanLuminance - 6);
    const justAbove = await makeIdPhoto({ side: 'FRONT', brightness: atThreshold * 1.06 });
    const above = await processPhoto(justAbove.jpeg, 'ID_CARD_FRONT');
    expect(above.quality.meanLuminance).toBeGreaterThanOrEqual(PHOTO_LIMITS.minMeanLuminance);
    expect(above.quality.meanLuminance).toBeLessThan(PHOTO_LIMITS.minMeanLuminance + 6);
    expectCropNear(above.crop, justAbove.subject);
  });

  it('PHOTO_TOO_DARK rather than CARD_NOT_FOUND when the whole photo is nearly black', async () => {
    const black = await makeIdPhoto({ side: 'BACK', brightness: 0.05 });
    await problemOf(processPhoto(black.jpeg, 'ID_CARD_BACK'), 'PHOTO_TOO_DARK');
  });

  it('PHOTO_GLARE for a large blown-out reflection; a small one passes', async () => {
    const glare = await makeIdPhoto({ side: 'FRONT', glare: 0.2 });
    const problem = await problemOf(processPhoto(glare.jpeg, 'ID_CARD_FRONT'), 'PHOTO_GLARE');
    expect(problem.message).toContain('反光');
    expect(problem.details!.glareFraction).toBeGreaterThan(PHOTO_LIMITS.maxGlareFraction);
    const spot = await makeIdPhoto({ side: 'BACK', glare: 0.03 });
    const out = await processPhoto(spot.jpeg, 'ID_CARD_BACK');
    expect(out.quality.glareFraction).toBeGreaterThan(0.02);
    expect(out.quality.glareFraction).toBeLessThan(PHOTO_LIMITS.maxGlareFraction);
    const washedOut = await makeIdPhoto({ side: 'BACK', brightness: 1.25 });
    await problemOf(processPhoto(washedOut.jpeg, 'ID_CARD_BACK'), 'PHOTO_GLARE');
  });

  it('PHOTO_BLURRY for an out-of-focus photo; a slightly soft one passes', async () => {
    const blurred = await makeIdPhoto({ side: 'BACK', blur: 6 });
    const problem = await problemOf(processPhoto(blurred.jpeg, 'ID_CARD_BACK'), 'PHOTO_BLURRY');
    expect(problem.message).toContain('对焦');
    expect(problem.details!.sharpness).toBeLessThan(PHOTO_LIMITS.minSharpness);
    await problemOf(
      processPhoto((await makeIdPhoto({ side: 'FRONT', blur: 3, cardRotation: 90 })).jpeg, 'ID_CARD_FRONT'),
      'PHOTO_BLURRY',
    );
    const soft = await processPhoto((await makeIdPhoto({ side: 'FRONT', blur: 1 })).jpeg, 'ID_CARD_FRONT');
    expect(soft.quality.sharpness).toBeGreaterThan(PHOTO_LIMITS.minSharpness);
  });

  it('checks darkness, then glare, then sharpness', async () => {
    const options: IdPhotoOptions = { side: 'FRONT', blur: 6 };
    await problemOf(
      processPhoto((await makeIdPhoto({ ...options, brightness: 0.15 })).jpeg, 'ID_CARD_FRONT'),
      'PHOTO_TOO_DARK',
    );
    await problemOf(processPhoto((await makeIdPhoto({ ...options, glare: 0.3 })).jpeg, 'ID_CARD_FRONT'), 'PHOTO_GLARE');
  });
});

describe('signature photos', () => {
  it('crops to the ink with a 5 % margin', async () => {
    const photo = await makeSignaturePhoto();
    const out = await processPhoto(photo.jpeg, 'SIGNATURE');
    const ink = photo.subject;
    const m = PHOTO_LIMITS.signatureMargin;
    expectCropNear(out.crop, {
      left: ink.left - ink.width * m,
      top: ink.top - ink.height * m,
      width: ink.width * (1 + 2 * m),
      height: ink.height * (1 + 2 * m),
    });
    expect(out.rotation).toBe(0);
    expect(out.adjustments).toEqual(['CROPPED']);
    expect([out.width, out.height]).toEqual([out.crop!.width, out.crop!.height]);
    // blue ink survived the trip
    const { data, info } = await sharp(out.processed).raw().toBuffer({ resolveWithObject: true });
    let blue = 0;
    for (let i = 0; i < data.length; i += info.channels) if (data[i + 2] - Math.max(data[i], data[i + 1]) > 60) blue++;
    expect(blue).toBeGreaterThan(500);
  });

  it('finds the ink on a sheet lying on a dark desk', async () => {
    const ink = { left: 420, top: 520, width: 480, height: 160 };
    const photo = await makeSignaturePhoto({
      frameWidth: 1400,
      frameHeight: 1050,
      sheet: { left: 160, top: 120, width: 1000, height: 800 },
      ink,
    });
    const out = await processPhoto(photo.jpeg, 'SIGNATURE');
    const m = PHOTO_LIMITS.signatureMargin;
    expectCropNear(out.crop, {
      left: ink.left - ink.width * m,
      top: ink.top - ink.height * m,
      width: ink.width * (1 + 2 * m),
      height: ink.height * (1 + 2 * m),
    });
    expect(out.adjustments).toEqual(['CROPPED']);
  });

  it('never turns a signature, even one taller than wide', async () => {
    const ink = { left: 320, top: 380, width: 260, height: 560 };
    const photo = await makeSignaturePhoto({ frameWidth: 900, frameHeight: 1300, ink });
    const out = await processPhoto(photo.jpeg, 'SIGNATURE');
    expect(out.rotation).toBe(0);
    expect(out.adjustments).toEqual(['CROPPED']);
    expect(out.height).toBeGreaterThan(out.width);
    const m = PHOTO_LIMITS.signatureMargin;
    expectCropNear(out.crop, {
      left: ink.left - ink.width * m,
      top: ink.top - ink.height * m,
      width: ink.width * (1 + 2 * m),
      height: ink.height * (1 + 2 * m),
    });
  });

  it('applies the EXIF orientation to a signature', async () => {
    const photo = await makeSignaturePhoto({ exifOrientation: 8 });
    const out = await processPhoto(photo.jpeg, 'SIGNATURE');
    expect(out.adjustments).toEqual(['AUTO_ORIENTED', 'CROPPED']);
    expect(out.width).toBeGreaterThan(out.height);
  });

  it('skips the sharpness check but keeps darkness and glare', async () => {
    const soft = await processPhoto((await makeSignaturePhoto({ blur: 4 })).jpeg, 'SIGNATURE');
    expect(soft.quality.sharpness).toBeLessThan(PHOTO_LIMITS.minSharpness);
    await problemOf(processPhoto((await makeSignaturePhoto({ brightness: 0.15 })).jpeg, 'SIGNATURE'), 'PHOTO_TOO_DARK');
    await problemOf(processPhoto((await makeSignaturePhoto({ paper: '#ffffff' })).jpeg, 'SIGNATURE'), 'PHOTO_GLARE');
  });

  it('CARD_NOT_FOUND (no ink) for a blank sheet', async () => {
    const problem = await problemOf(
      processPhoto((await makeSignaturePhoto({ blank: true })).jpeg, 'SIGNATURE'),
      'CARD_NOT_FOUND',
    );
    expect(problem.message).toContain('签名');
  });
});
