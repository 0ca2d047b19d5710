/**
 * The SFU service's wire protocol (`server.ts` ↔ `remote.ts`): JSON over one WebSocket per API
 * node at `/rooms`, authorised by `Authorization: Bearer <KAIHU_SFU_SECRET>`.
 *
 * - request  `{ id, method, params }` → response `{ id, result }` or `{ id, error: { code, message } }`
 * - the server pushes `{ event: MediaEvent }` to every connected API node
 * - recordings are read with `GET /recordings/<name>` (same header); `GET /healthz` is open
 *
 * Buffers (snapshots) travel as base64 strings.
 */
export const RPC_METHODS = [
  'rtpCapabilities',
  'createTransport',
  'connectTransport',
  'produce',
  'producers',
  'consume',
  'pause',
  'snapshot',
  'stopRecording',
  'startRecording',
  'close',
  'removeRecording',
  'stats',
  'roomIds',
] as const;

export type RpcMethod = (typeof RPC_METHODS)[number];

export interface RpcRequest {
  id: number;
  method: RpcMethod;
  params: unknown[];
}

export type RpcMessage =
  { id: number; result: unknown } | { id: number; error: { code: string; message: string } } | { event: unknown };

/** The `sfu_nodes` table the SFU service registers in (created by the API's migrations). */
export const SFU_NODES_TABLE = 'sfu_nodes';
