import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import {
  DEMO,
  bearer,
  gql,
  loginCustomer,
  loginStaff,
  startTestServer,
  type DbKind,
  type TestServer,
} from '../../testing/harness';
import {
  makeHugeHeaderJpeg,
  makeIdPhoto,
  makePng,
  makeSignaturePhoto,
  truncate,
  LOW_CONTRAST_BACKGROUND,
} from './testing/synthetic-photos';

const UPLOAD = `mutation ($t: ID!, $k: DocumentKind!, $f: Upload!) {
  uploadDocument(ticketId: $t, kind: $k, file: $f) { id kind sha256 width height url thumbnailUrl adjustments reused }
}`;
const START = 'mutation ($b: BusinessType!) { startTicket(business: $b) { id currentStep } }';
const COMPLETE = 'mutation ($t: ID!) { completeDocuments(ticketId: $t) { id currentStep steps { kind done } } }';
const REUSE = 'mutation ($t: ID!) { reuseDocuments(ticketId: $t) { id currentStep documents { kind reused sha256 } } }';
const DOCS = 'query ($t: ID!) { ticket(id: $t) { hasPhotosOnFile documents { id kind url thumbnailUrl sha256 } } }';

const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;

/** A GraphQL multipart request (graphql-multipart-request-spec) with one file. */
async function upload(
  url: string,
  token: string,
  ticketId: string,
  kind: string,
  bytes: Buffer,
  filename = 'photo.jpg',
  mime = 'image/jpeg',
) {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: UPLOAD, variables: { t: ticketId, k: kind, f: null } }));
  form.append('map', JSON.stringify({ 0: ['variables.f'] }));
  form.append('0', new Blob([new Uint8Array(bytes)], { type: mime }), filename);
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    body: form,
    headers: { ...bearer(token), 'apollo-require-preflight': 'true' },
  });
  return (await res.json()) as {
    data?: { uploadDocument: any };
    errors?: { message: string; extensions?: { code?: string } }[];
  };
}

function countObjects(dir: string): number {
  const root = path.join(dir, 'objects');
  if (!fs.existsSync(root)) return 0;
  return fs.readdirSync(root, { recursive: true }).filter((f) => String(f).endsWith('.json')).length;
}

describe.each<DbKind>(['postgresql', 'pglite'])('ID photos on %s', (kind) => {
  let server: TestServer;
  let token: string;
  let ticketId: string;
  const photos: Record<string, Buffer> = {};

  beforeAll(async () => {
    server = await startTestServer(kind);
    token = await loginCustomer(server, DEMO.zhangWei);
    ticketId = (await gql(server.url, START, { b: 'UPDATE_OTHER_INFO' }, bearer(token))).data!.startTicket.id;
    photos.front = (await makeIdPhoto({ side: 'FRONT', cardRotation: 90 })).jpeg;
    photos.back = (await makeIdPhoto({ side: 'BACK', exifOrientation: 6 })).jpeg;
    photos.signature = (await makeSignaturePhoto()).jpeg;
  });
  afterAll(() => server?.close());

  it('processes an ID front: cropped, rotated to landscape, metadata stripped, signed URLs', async () => {
    const res = await upload(server.url, token, ticketId, 'ID_CARD_FRONT', photos.front!);
    expect(res.errors).toBeUndefined();
    const doc = res.data!.uploadDocument;
    expect(doc).toMatchObject({ kind: 'ID_CARD_FRONT', reused: false, adjustments: ['CROPPED', 'ROTATED'] });
    expect(doc.width).toBeGreaterThan(doc.height);
    expect(Math.abs(doc.width / doc.height - 856 / 540)).toBeLessThan(0.06);
    const file = await fetch(server.url + doc.url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/jpeg');
    const bytes = Buffer.from(await file.arrayBuffer());
    const meta = await sharp(bytes).metadata();
    expect({ w: meta.width, h: meta.height, exif: meta.exif }).toEqual({
      w: doc.width,
      h: doc.height,
      exif: undefined,
    });
    const thumb = await sharp(Buffer.from(await (await fetch(server.url + doc.thumbnailUrl)).arrayBuffer())).metadata();
    expect(Math.max(thumb.width!, thumb.height!)).toBe(320);
  });

  it('processes an EXIF-rotated back and the signature', async () => {
    const back = await upload(server.url, token, ticketId, 'ID_CARD_BACK', photos.back!);
    expect(back.data!.uploadDocument.adjustments).toEqual(expect.arrayContaining(['AUTO_ORIENTED', 'CROPPED']));
    const sig = await upload(server.url, token, ticketId, 'SIGNATURE', photos.signature!);
    expect(sig.data!.uploadDocument.adjustments).toContain('CROPPED');
    expect(sig.data!.uploadDocument.adjustments).not.toContain('ROTATED');
  });

  it('decides the type by content, not by name or MIME type', async () => {
    const png = await upload(server.url, token, ticketId, 'ID_CARD_FRONT', await makePng(), 'photo.jpg', 'image/jpeg');
    expect(codeOf(png)).toBe('UNSUPPORTED_FILE_TYPE');
    expect(png.errors![0]!.message).toMatch(/JPG/);
    const text = await upload(server.url, token, ticketId, 'ID_CARD_FRONT', Buffer.from('hello'), 'x.jpg');
    expect(codeOf(text)).toBe('UNSUPPORTED_FILE_TYPE');
    const empty = await upload(server.url, token, ticketId, 'ID_CARD_FRONT', Buffer.alloc(0), 'x.jpg');
    expect(codeOf(empty)).toBe('UNSUPPORTED_FILE_TYPE');
    const named = await upload(server.url, token, ticketId, 'ID_CARD_FRONT', photos.front!, 'scan.png', 'image/png');
    expect(codeOf(named)).toBeUndefined();
  });

  it.each([
    [
      'over 10 MB',
      'FILE_TOO_LARGE',
      async () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(10 * 1024 * 1024 + 10, 7)]),
    ],
    ['a truncated JPEG', 'IMAGE_CORRUPT', async () => truncate(photos.front!, 0.5)],
    ['a pixel bomb (60000×60000 header)', 'IMAGE_TOO_LARGE', async () => makeHugeHeaderJpeg()],
    [
      'a tiny photo',
      'IMAGE_TOO_SMALL',
      async () => (await makeIdPhoto({ side: 'FRONT', frameWidth: 500, frameHeight: 300, cardWidth: 400 })).jpeg,
    ],
    ['a dark photo', 'PHOTO_TOO_DARK', async () => (await makeIdPhoto({ side: 'FRONT', brightness: 0.15 })).jpeg],
    ['a photo with glare', 'PHOTO_GLARE', async () => (await makeIdPhoto({ side: 'FRONT', glare: 0.2 })).jpeg],
    ['a blurred photo', 'PHOTO_BLURRY', async () => (await makeIdPhoto({ side: 'FRONT', blur: 6 })).jpeg],
    [
      'a card on a background of its own colour',
      'CARD_NOT_FOUND',
      async () => (await makeIdPhoto({ side: 'FRONT', background: LOW_CONTRAST_BACKGROUND })).jpeg,
    ],
  ])('refuses %s with %s and a Chinese message saying how to retake', async (_name, code, make) => {
    const res = await upload(server.url, token, ticketId, 'ID_CARD_FRONT', await make());
    expect(codeOf(res)).toBe(code);
    expect(res.errors![0]!.message).toMatch(/[\u4e00-\u9fa5]/);
    // nothing stored replaced the good front
    const docs = (await gql(server.url, DOCS, { t: ticketId }, bearer(token))).data!.ticket.documents;
    expect(docs.filter((d: { kind: string }) => d.kind === 'ID_CARD_FRONT')).toHaveLength(1);
  });

  it('stores by content hash: the same bytes again store nothing new', async () => {
    const before = countObjects(server.config.dataDir);
    const a = await upload(server.url, token, ticketId, 'SIGNATURE', photos.signature!);
    expect(countObjects(server.config.dataDir)).toBe(before);
    expect(a.data!.uploadDocument.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('serves files only through valid, unexpired signatures for viewers of the broker', async () => {
    const docs = (await gql(server.url, DOCS, { t: ticketId }, bearer(token))).data!.ticket.documents;
    const url: string = docs[0].url;
    expect((await fetch(server.url + url)).status).toBe(200);
    expect(
      (await fetch(server.url + url.replace(/sig=([0-9a-f])/, (_m, c) => `sig=${c === '0' ? '1' : '0'}`))).status,
    ).toBe(403);
    expect((await fetch(server.url + url.replace(/exp=(\d+)/, (_m, e) => `exp=${Number(e) + 60_000}`))).status).toBe(
      403,
    );
    expect((await fetch(server.url + url.replace('/processed?', '/original?'))).status).toBe(403);
    expect((await fetch(server.url + url.split('?')[0]!)).status).toBe(403);
    // staff of the broker get their own URLs through the ticket
    const agent = await loginStaff(server.url, 'review01', 'Review#2026');
    const staffDocs = (await gql(server.url, DOCS, { t: ticketId }, bearer(agent))).data!.ticket.documents;
    expect((await fetch(server.url + staffDocs[0].url)).status).toBe(200);
    // another customer sees no ticket and so no URL
    const wang = await loginCustomer(server, DEMO.wangFang);
    expect((await gql(server.url, DOCS, { t: ticketId }, bearer(wang))).data!.ticket).toBeNull();
    // URLs expire after 10 minutes
    server.clock.advance(10 * 60_000 + 1);
    expect((await fetch(server.url + url)).status).toBe(403);
  });

  it('completes the DOCUMENTS step only with front, back and signature', async () => {
    const t2 = (await gql(server.url, START, { b: 'UPDATE_ID_VALIDITY' }, bearer(token))).data!.startTicket.id;
    await upload(server.url, token, t2, 'ID_CARD_FRONT', photos.front!);
    const res = await gql(server.url, COMPLETE, { t: t2 }, bearer(token));
    expect(codeOf(res)).toBe('DOCUMENTS_INCOMPLETE');
    expect(res.errors![0]!.message).toBe('请上传身份证反面（国徽面）、手写签名照后再进入下一步');
    const done = await gql(server.url, COMPLETE, { t: ticketId }, bearer(token));
    expect(done.data!.completeDocuments.currentStep).toBe('OTHER_INFO');
    expect(codeOf(await upload(server.url, token, ticketId, 'ID_CARD_FRONT', photos.front!))).toBe('STEP_NOT_ALLOWED');
  });

  it('reuses the photos of an approved earlier ticket', async () => {
    const t3 = (await gql(server.url, START, { b: 'UPDATE_CONTACT_PHONE' }, bearer(token))).data!.startTicket.id;
    expect(codeOf(await gql(server.url, REUSE, { t: t3 }, bearer(token)))).toBe('NOTHING_TO_REUSE');
    expect((await gql(server.url, DOCS, { t: t3 }, bearer(token))).data!.ticket.hasPhotosOnFile).toBe(false);
    // fixture until review lands: the first ticket was approved
    await server.db.sql.query("update tickets set status = 'APPROVED' where id = $1", [ticketId]);
    expect((await gql(server.url, DOCS, { t: t3 }, bearer(token))).data!.ticket.hasPhotosOnFile).toBe(true);
    const res = await gql(server.url, REUSE, { t: t3 }, bearer(token));
    expect(res.errors).toBeUndefined();
    const reused = res.data!.reuseDocuments.documents;
    expect(reused.map((d: { kind: string }) => d.kind).sort()).toEqual(['ID_CARD_BACK', 'ID_CARD_FRONT', 'SIGNATURE']);
    expect(reused.every((d: { reused: boolean }) => d.reused)).toBe(true);
    expect((await gql(server.url, COMPLETE, { t: t3 }, bearer(token))).data!.completeDocuments.currentStep).toBe(
      'CONTACT_PHONE',
    );
  });
});
