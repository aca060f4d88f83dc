import { AnchorContract } from './contracts/anchor-contract.js';
import { AuditContract } from './contracts/audit-contract.js';
import { BreachContract } from './contracts/breach-contract.js';
import { CommitmentContract } from './contracts/commitment-contract.js';
import { ConsentContract } from './contracts/consent-contract.js';
import { LicenceContract } from './contracts/licence-contract.js';
import { OrganizationContract } from './contracts/organization-contract.js';
import { ProductContract } from './contracts/product-contract.js';
import { RightsContract } from './contracts/rights-contract.js';

/** What fabric-shim loads: every contract of the Citizen Vault chaincode. */
export const contracts = [
  ConsentContract,
  OrganizationContract,
  CommitmentContract,
  ProductContract,
  LicenceContract,
  AnchorContract,
  AuditContract,
  RightsContract,
  BreachContract,
];
