// The messages of etcd.proto as @grpc/proto-loader hands them over (snake_case names, int64 as number, bytes as
// Buffer, enums as names). Requests may leave fields out; responses have every field (defaults: true).

export interface Header {
  revision: number;
}

export interface EtcdKeyValue {
  key: Buffer;
  create_revision: number;
  mod_revision: number;
  value: Buffer;
}

export interface RangeRequest {
  key: Buffer;
  range_end?: Buffer;
  limit?: number;
  revision?: number;
  serializable?: boolean;
  keys_only?: boolean;
  count_only?: boolean;
}

export interface RangeResponse {
  header: Header;
  kvs: EtcdKeyValue[];
  more: boolean;
  count: number;
}

export interface PutRequest {
  key: Buffer;
  value: Buffer;
}

export interface DeleteRangeRequest {
  key: Buffer;
  prev_kv?: boolean;
}

export interface DeleteRangeResponse {
  header: Header;
  deleted: number;
  prev_kvs: EtcdKeyValue[];
}

export interface Compare {
  result: 'EQUAL' | 'GREATER' | 'LESS' | 'NOT_EQUAL';
  target: 'CREATE' | 'MOD';
  key: Buffer;
  create_revision?: number;
  mod_revision?: number;
}

export type RequestOp =
  | { request_range: RangeRequest }
  | { request_put: PutRequest }
  | { request_delete_range: DeleteRangeRequest };

export interface ResponseOp {
  response_range?: RangeResponse;
  response_delete_range?: DeleteRangeResponse;
}

export interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure: RequestOp[];
}

export interface TxnResponse {
  header: Header;
  succeeded: boolean;
  responses: ResponseOp[];
}

export interface WatchRequest {
  create_request?: { key: Buffer; range_end?: Buffer; start_revision: number; prev_kv: boolean };
  cancel_request?: { watch_id: number };
}

export interface WatchEventMessage {
  type: 'PUT' | 'DELETE';
  kv: EtcdKeyValue;
  prev_kv: EtcdKeyValue | null;
}

export interface WatchResponse {
  header: Header;
  watch_id: number;
  created: boolean;
  canceled: boolean;
  compact_revision: number;
  cancel_reason: string;
  events: WatchEventMessage[];
}
