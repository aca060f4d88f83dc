import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { gateway, google } from '@hyperledger/fabric-protos';
import anyPb from 'google-protobuf/google/protobuf/any_pb.js';
import { DevnetError } from './errors.js';

export interface ErrorDetail {
  address: string;
  mspId: string;
  message: string;
}

/**
 * A gRPC error as Fabric's gateway sends it: a status code and message, with `gateway.ErrorDetail`s
 * packed into `google.rpc.Status` in the `grpc-status-details-bin` trailer, where
 * `@hyperledger/fabric-gateway` reads them into `err.details`.
 */
export function rpcError(code: status, message: string, details: ErrorDetail[] = []): Partial<ServiceError> {
  const st = new google.rpc.Status();
  st.setCode(code);
  st.setMessage(message);
  st.setDetailsList(
    details.map((d) => {
      const detail = new gateway.ErrorDetail();
      detail.setAddress(d.address);
      detail.setMspId(d.mspId);
      detail.setMessage(d.message);
      const any = new anyPb.Any();
      any.pack(detail.serializeBinary(), 'gateway.ErrorDetail');
      return any;
    }),
  );
  const metadata = new Metadata();
  metadata.set('grpc-status-details-bin', Buffer.from(st.serializeBinary()));
  return { code, details: message, metadata };
}

const STATUS: Record<DevnetError['code'], status> = {
  invalid_argument: status.INVALID_ARGUMENT,
  not_found: status.NOT_FOUND,
  permission_denied: status.PERMISSION_DENIED,
  bad_signature: status.PERMISSION_DENIED,
  unknown_identity: status.PERMISSION_DENIED,
  duplicate_txid: status.ALREADY_EXISTS,
  chaincode_failed: status.ABORTED,
  endorsement_mismatch: status.ABORTED,
  endorsement_unsatisfiable: status.FAILED_PRECONDITION,
  not_supported: status.UNIMPLEMENTED,
  corrupt_ledger: status.INTERNAL,
  config: status.INTERNAL,
  unavailable: status.UNAVAILABLE,
};

/** Maps anything thrown inside a handler to a gRPC error; unknown errors become INTERNAL without their text. */
export function toRpcError(err: unknown, details: ErrorDetail[] = []): Partial<ServiceError> {
  if (err instanceof DevnetError) return rpcError(STATUS[err.code], err.message, details);
  return rpcError(status.INTERNAL, 'internal error in the devnet', details);
}
