import { common, msp } from '@hyperledger/fabric-protos';
import { blockDataHash } from '@citizen-vault/ledger-format';
import { timestamp } from './chaincode-runtime.js';

/** Builds a block: header chained to the previous block, one validation code per transaction in TRANSACTIONS_FILTER. */
export function buildBlock(number: number, previousHash: Uint8Array, envelopes: readonly Uint8Array[], validationCodes: readonly number[]): common.Block {
  const header = new common.BlockHeader();
  header.setNumber(number);
  header.setPreviousHash(previousHash);
  header.setDataHash(blockDataHash(envelopes));
  const data = new common.BlockData();
  data.setDataList([...envelopes]);
  const metadata = new common.BlockMetadata();
  const slots: Uint8Array[] = [new Uint8Array(), new Uint8Array(), new Uint8Array(), new Uint8Array(), new Uint8Array()];
  slots[common.BlockMetadataIndex.SIGNATURES] = new common.Metadata().serializeBinary();
  slots[common.BlockMetadataIndex.TRANSACTIONS_FILTER] = Uint8Array.from(validationCodes);
  metadata.setMetadataList(slots);
  const block = new common.Block();
  block.setHeader(header);
  block.setData(data);
  block.setMetadata(metadata);
  return block;
}

/**
 * The channel's genesis block: one CONFIG transaction whose config holds each organisation's MSP
 * (root CA and TLS root CA), so the ledger itself says who the members are.
 */
export function genesisBlock(
  channelId: string,
  organizations: readonly { mspId: string; caCertPem: string; tlsCaCertPem: string }[],
  nowMs: number,
): common.Block {
  const application = new common.ConfigGroup();
  for (const org of organizations) {
    const fabricMsp = new msp.FabricMSPConfig();
    fabricMsp.setName(org.mspId);
    fabricMsp.setRootCertsList([Buffer.from(org.caCertPem)]);
    fabricMsp.setTlsRootCertsList([Buffer.from(org.tlsCaCertPem)]);
    const mspConfig = new msp.MSPConfig();
    mspConfig.setType(0); // FABRIC
    mspConfig.setConfig(fabricMsp.serializeBinary());
    const value = new common.ConfigValue();
    value.setValue(mspConfig.serializeBinary());
    value.setModPolicy('Admins');
    const group = new common.ConfigGroup();
    group.getValuesMap().set('MSP', value);
    group.setModPolicy('Admins');
    application.getGroupsMap().set(org.mspId, group);
  }
  application.setModPolicy('Admins');
  const channelGroup = new common.ConfigGroup();
  channelGroup.getGroupsMap().set('Application', application);
  const config = new common.Config();
  config.setSequence(0);
  config.setChannelGroup(channelGroup);
  const configEnvelope = new common.ConfigEnvelope();
  configEnvelope.setConfig(config);

  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(common.HeaderType.CONFIG);
  channelHeader.setChannelId(channelId);
  channelHeader.setTimestamp(timestamp(nowMs));
  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  header.setSignatureHeader(new common.SignatureHeader().serializeBinary());
  const payload = new common.Payload();
  payload.setHeader(header);
  payload.setData(configEnvelope.serializeBinary());
  const envelope = new common.Envelope();
  envelope.setPayload(payload.serializeBinary());
  return buildBlock(0, new Uint8Array(), [envelope.serializeBinary()], [0]);
}

/** The MSP ids recorded in a genesis block's channel config. */
export function genesisMspIds(block: common.Block): string[] {
  const envelope = common.Envelope.deserializeBinary(block.getData()!.getDataList_asU8()[0]!);
  const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  const config = common.ConfigEnvelope.deserializeBinary(payload.getData_asU8()).getConfig();
  const app = config?.getChannelGroup()?.getGroupsMap().get('Application');
  return app
    ? app
        .getGroupsMap()
        .getEntryList()
        .map(([id]) => id as string)
    : [];
}
