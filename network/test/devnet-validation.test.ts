import { createHash, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { CommitError, EndorseError, GatewayError, signers, type Contract, type Gateway } from '@hyperledger/fabric-gateway';
import { common, gateway, peer } from '@hyperledger/fabric-protos';
import { startDevnet } from '@citizen-vault/network';
import { gatewayFor, removeDir, tempDir, text, useDevnet, ASSET_CHAINCODE, type TestDevnet } from './helpers.js';

const MVCC_READ_CONFLICT = 11;
const PHANTOM_READ_CONFLICT = 12;
const ENDORSEMENT_POLICY_FAILURE = 10;
const DUPLICATE_TXID = 9;

describe('devnet validation, as a Fabric peer validates', () => {
  const shared = useDevnet({
    chaincodes: [
      { name: 'assets', path: ASSET_CHAINCODE, endorsementPolicy: 'ANY Endorsement' },
      { name: 'strict', path: ASSET_CHAINCODE, endorsementPolicy: "AND('Org1MSP.peer','Org2MSP.peer')" },
    ],
  });
  let devnet: TestDevnet;
  let assets: Contract;
  let strict: Contract;

  beforeAll(() => {
    devnet = shared.devnet;
    assets = shared.network.getContract('assets', 'assets');
    strict = shared.network.getContract('strict', 'assets');
  });

  it('commits exactly one of two concurrent updates of a key and marks the other MVCC_READ_CONFLICT', async () => {
    await assets.submitTransaction('PutAsset', 'counter', '0');
    const a = await assets.newProposal('Increment', { arguments: ['counter'] }).endorse();
    const b = await assets.newProposal('Increment', { arguments: ['counter'] }).endorse();
    const [sa, sb] = await Promise.all([a.submit(), b.submit()]);
    const codes = (await Promise.all([sa.getStatus(), sb.getStatus()])).map((s) => s.code).sort();
    expect(codes).toEqual([0, MVCC_READ_CONFLICT]);
    expect(text(await assets.evaluateTransaction('ReadAsset', 'counter'))).toBe('1');
  });

  it('marks a transaction whose range query changed before commit PHANTOM_READ_CONFLICT', async () => {
    await assets.submitTransaction('PutAsset', 'ph-1', 'x');
    const counting = await assets.newProposal('CountAndAdd', { arguments: ['ph-', 'ph-~', 'count'] }).endorse();
    await assets.submitTransaction('PutAsset', 'ph-2', 'y');
    const status = await (await counting.submit()).getStatus();
    expect(status.code).toBe(PHANTOM_READ_CONFLICT);
    await expect(assets.evaluateTransaction('ReadAsset', 'count')).rejects.toThrow();
  });

  it('applies no write of an invalid transaction, and tells the client with a CommitError', async () => {
    await assets.submitTransaction('PutAsset', 'cnt2', '5');
    const a = await assets.newProposal('Increment', { arguments: ['cnt2'] }).endorse();
    await assets.submitTransaction('PutAsset', 'cnt2', '100');
    const err = await (async () => {
      const submitted = await a.submit();
      const status = await submitted.getStatus();
      if (!status.successful) throw new CommitError({ message: 'not committed', code: status.code, transactionId: status.transactionId });
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommitError);
    expect(text(await assets.evaluateTransaction('ReadAsset', 'cnt2'))).toBe('100');
  });

  it('marks a transaction that lacks endorsements its policy needs ENDORSEMENT_POLICY_FAILURE', async () => {
    const oneOrg = await strict.newProposal('PutAsset', { arguments: ['pol', 'v'], endorsingOrganizations: ['Org1MSP'] }).endorse();
    const status = await (await oneOrg.submit()).getStatus();
    expect(status.code).toBe(ENDORSEMENT_POLICY_FAILURE);
    const both = await strict.submitAsync('PutAsset', { arguments: ['pol', 'v'] });
    expect((await both.getStatus()).successful).toBe(true);
  });

  it('rejects a proposal whose signature does not verify', async () => {
    const bad = await gatewayFor(devnet, { signer: async () => new Uint8Array(72).fill(1) });
    try {
      const err = (await bad.gateway
        .getNetwork(devnet.channel)
        .getContract('assets', 'assets')
        .evaluateTransaction('ReadAsset', 'counter')
        .catch((e: unknown) => e)) as EndorseError;
      expect(err.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(err.message).toContain('does not verify');
    } finally {
      bad.close();
    }
  });

  it('rejects a proposal signed with another key than the creator certificate', async () => {
    const org2 = devnet.connection.organizations[1]!;
    const wrongKey = await gatewayFor(devnet, { signer: signers.newPrivateKeySigner(createPrivateKey(await readFile(org2.users.User1.key))) });
    try {
      await expect(wrongKey.gateway.getNetwork(devnet.channel).getContract('assets', 'assets').submitTransaction('PutAsset', 'k', 'v')).rejects.toThrow(
        /does not verify/,
      );
    } finally {
      wrongKey.close();
    }
  });

  it('rejects a transaction envelope whose signature does not verify, at submit', async () => {
    const offline = await gatewayFor(devnet, { signer: 'none' });
    const key = createPrivateKey(await readFile(devnet.connection.organizations[0]!.users.User1.key));
    try {
      const gw: Gateway = offline.gateway;
      const proposal = gw
        .getNetwork(devnet.channel)
        .getContract('assets', 'assets')
        .newProposal('PutAsset', { arguments: ['env', 'v'] });
      const signed = gw.newSignedProposal(proposal.getBytes(), await signDigest(key, proposal.getDigest()));
      const tx = await signed.endorse();
      const forged = gw.newSignedTransaction(tx.getBytes(), await signDigest(key, Buffer.from('something else')));
      const err = await forged.submit().catch((e: unknown) => e);
      // SubmitError is exported as a type only; it is a GatewayError named SubmitError.
      expect(err).toBeInstanceOf(GatewayError);
      expect((err as GatewayError).name).toBe('SubmitError');
      expect((err as GatewayError).code).toBe(grpc.status.ABORTED);
      expect((err as GatewayError).message).toContain('status=FORBIDDEN');
    } finally {
      offline.close();
    }
  });

  it('counts no endorsement whose signed payload or signature was changed after the peers signed it', async () => {
    const offline = await gatewayFor(devnet, { signer: 'none' });
    const key = createPrivateKey(await readFile(devnet.connection.organizations[0]!.users.User1.key));
    try {
      const gw: Gateway = offline.gateway;
      await strict.submitTransaction('PutAsset', 'altered', 'before');
      const alter = async (value: string, change: (endorsed: peer.ChaincodeEndorsedAction) => void): Promise<number> => {
        const proposal = gw
          .getNetwork(devnet.channel)
          .getContract('strict', 'assets')
          .newProposal('PutAsset', { arguments: ['altered', value] });
        const tx = await gw.newSignedProposal(proposal.getBytes(), await signDigest(key, proposal.getDigest())).endorse();
        const prepared = gateway.PreparedTransaction.deserializeBinary(tx.getBytes());
        const envelope = prepared.getEnvelope()!;
        const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
        const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
        const action = transaction.getActionsList()[0]!;
        const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
        change(actionPayload.getAction()!);
        action.setPayload(actionPayload.serializeBinary());
        payload.setData(transaction.serializeBinary());
        envelope.setPayload(payload.serializeBinary());
        const digest = createHash('sha256').update(envelope.getPayload_asU8()).digest();
        const submitted = await gw.newSignedTransaction(prepared.serializeBinary(), await signDigest(key, digest)).submit();
        return (await gw.newSignedCommit(submitted.getBytes(), await signDigest(key, submitted.getDigest())).getStatus()).code;
      };
      // The write set now says something the peers never endorsed; their signatures are untouched.
      const changedPayload = await alter('endorsed', (endorsed) => {
        const prp = peer.ProposalResponsePayload.deserializeBinary(endorsed.getProposalResponsePayload_asU8());
        const action = peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8());
        const rwSet = action.getResults_asU8();
        const at = Buffer.from(rwSet).indexOf('endorsed');
        action.setResults(Buffer.concat([rwSet.subarray(0, at), Buffer.from('tampered'), rwSet.subarray(at + 8)]));
        prp.setExtension$(action.serializeBinary());
        endorsed.setProposalResponsePayload(prp.serializeBinary());
      });
      expect(changedPayload).toBe(ENDORSEMENT_POLICY_FAILURE);
      const changedSignature = await alter('resigned', (endorsed) => {
        const [first] = endorsed.getEndorsementsList();
        const signature = Buffer.from(first!.getSignature_asU8());
        signature[signature.length - 1]! ^= 1;
        first!.setSignature(signature);
      });
      expect(changedSignature).toBe(ENDORSEMENT_POLICY_FAILURE);
      expect(text(await strict.evaluateTransaction('ReadAsset', 'altered'))).toBe('before');
    } finally {
      offline.close();
    }
  });

  it('rejects an organisation that is not a member of the channel', async () => {
    const outsiderDir = await tempDir('outsider-');
    const outsider = await startDevnet({
      dataDir: outsiderDir,
      port: 0,
      organizations: [{ mspId: 'EvilMSP', domain: 'evil.example.com' }],
      chaincodes: [{ name: 'assets', path: ASSET_CHAINCODE }],
      log: () => {},
    });
    const evil = outsider.connection.organizations[0]!;
    await outsider.close();
    const cert = await readFile(evil.users.User1.cert);
    const signer = signers.newPrivateKeySigner(createPrivateKey(await readFile(evil.users.User1.key)));
    const asEvil = await gatewayFor(devnet, { identity: { mspId: 'EvilMSP', credentials: cert }, signer });
    const asForgedOrg1 = await gatewayFor(devnet, { identity: { mspId: 'Org1MSP', credentials: cert }, signer });
    try {
      const e1 = (await asEvil.gateway
        .getNetwork(devnet.channel)
        .getContract('assets', 'assets')
        .evaluateTransaction('ReadAsset', 'counter')
        .catch((e: unknown) => e)) as EndorseError;
      expect(e1.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(e1.message).toContain('EvilMSP');
      const e2 = (await asForgedOrg1.gateway
        .getNetwork(devnet.channel)
        .getContract('assets', 'assets')
        .evaluateTransaction('ReadAsset', 'counter')
        .catch((e: unknown) => e)) as EndorseError;
      expect(e2.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(e2.message).toContain("was not issued by Org1MSP's CA");
    } finally {
      asEvil.close();
      asForgedOrg1.close();
      await removeDir(outsiderDir);
    }
  });

  it('rejects a replayed proposal and marks a replayed transaction DUPLICATE_TXID without applying it twice', async () => {
    const offline = await gatewayFor(devnet, { signer: 'none' });
    const key = createPrivateKey(await readFile(devnet.connection.organizations[0]!.users.User1.key));
    try {
      const gw = offline.gateway;
      await assets.submitTransaction('PutAsset', 'replay', '0');
      const proposal = gw
        .getNetwork(devnet.channel)
        .getContract('assets', 'assets')
        .newProposal('Increment', { arguments: ['replay'] });
      const proposalBytes = proposal.getBytes();
      const proposalSig = await signDigest(key, proposal.getDigest());
      const tx = await gw.newSignedProposal(proposalBytes, proposalSig).endorse();
      const txSig = await signDigest(key, tx.getDigest());
      const first = await gw.newSignedTransaction(tx.getBytes(), txSig).submit();
      const commit = gw.newSignedCommit(first.getBytes(), await signDigest(key, first.getDigest()));
      expect((await commit.getStatus()).successful).toBe(true);

      const replayedProposal = await gw
        .newSignedProposal(proposalBytes, proposalSig)
        .endorse()
        .catch((e: unknown) => e);
      expect(replayedProposal).toBeInstanceOf(EndorseError);
      expect((replayedProposal as EndorseError).message).toContain('duplicate transaction found');

      const before = devnet.height();
      await gw.newSignedTransaction(tx.getBytes(), txSig).submit();
      await assets.submitTransaction('PutAsset', 'after-replay', 'x'); // a later block: the replay is committed by now
      const codes: number[] = [];
      for (let n = before; n < devnet.height(); n++) {
        const block = await devnet.readBlock(n);
        codes.push(...block.getMetadata()!.getMetadataList_asU8()[2]!);
      }
      expect(codes).toContain(DUPLICATE_TXID);
      expect(text(await assets.evaluateTransaction('ReadAsset', 'replay'))).toBe('1');
    } finally {
      offline.close();
    }
  });
});

/** Offline signing, as an HSM or a wallet would do it: the signer sees only fabric-gateway's digest. */
function signDigest(key: ReturnType<typeof createPrivateKey>, digest: Uint8Array): Promise<Uint8Array> {
  return signers.newPrivateKeySigner(key)(digest);
}
