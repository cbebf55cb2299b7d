import protobuf from 'protobufjs';

/**
 * The part of OpenTelemetry's logs protocol (opentelemetry-proto, `collector/logs/v1` and
 * `logs/v1`, `common/v1`, `resource/v1`) a receiver needs, with the field numbers of the
 * specification. Fields not listed are skipped by the decoder, as protobuf allows.
 */
const SCHEMA = `
syntax = "proto3";
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; }
message LogRecord {
  fixed64 time_unix_nano = 1; fixed64 observed_time_unix_nano = 11; int32 severity_number = 2;
  string severity_text = 3; AnyValue body = 5; repeated KeyValue attributes = 6;
  uint32 dropped_attributes_count = 7; fixed32 flags = 8; bytes trace_id = 9; bytes span_id = 10;
  string event_name = 12;
}
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; string schema_url = 3; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3; }
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ExportLogsPartialSuccess { int64 rejected_log_records = 1; string error_message = 2; }
message ExportLogsServiceResponse { ExportLogsPartialSuccess partial_success = 1; }
message Status { int32 code = 1; string message = 2; }
`;

const root = protobuf.parse(SCHEMA, { keepCase: false }).root;
const RequestType = root.lookupType('ExportLogsServiceRequest');
const ResponseType = root.lookupType('ExportLogsServiceResponse');
const StatusType = root.lookupType('Status');

/**
 * Decodes a protobuf `ExportLogsServiceRequest` into the object OTLP/JSON would give (int64 as
 * strings, oneof values under their JSON names), so one mapper reads both encodings.
 * Throws on bytes that are not such a message.
 */
export function decodeLogsRequest(bytes: Uint8Array): unknown {
  const message = RequestType.decode(bytes);
  return RequestType.toObject(message, { longs: String, bytes: String, defaults: false, oneofs: false });
}

/** The protobuf response, with a partial success when some records were rejected. */
export function encodeLogsResponse(rejected: number, message: string): Uint8Array {
  const payload = rejected > 0 ? { partialSuccess: { rejectedLogRecords: rejected, errorMessage: message } } : {};
  return ResponseType.encode(ResponseType.fromObject(payload)).finish();
}

/** A google.rpc.Status, the body the OTLP specification asks for with a 4xx/5xx answer (code 3: INVALID_ARGUMENT). */
export function encodeStatus(code: number, message: string): Uint8Array {
  return StatusType.encode(StatusType.fromObject({ code, message })).finish();
}

/** For tests and clients: the protobuf encoding of a request given in the OTLP/JSON shape. */
export function encodeLogsRequest(request: unknown): Uint8Array {
  return RequestType.encode(RequestType.fromObject(request as Record<string, unknown>)).finish();
}
