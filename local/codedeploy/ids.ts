/** Identifiers in the shapes CodeDeploy gives them. */
import { randomInt, randomUUID } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Matches a deployment ID: `d-` and nine upper-case letters or digits. */
export const DEPLOYMENT_ID = /^d-[A-Z0-9]{9}$/;

/** A new deployment ID, e.g. `d-A1B2C3D4E`. */
export function newDeploymentId(): string {
  let id = 'd-';
  for (let i = 0; i < 9; i += 1) id += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return id;
}

/** A new application or deployment group ID (a UUID, as CodeDeploy returns). */
export function newResourceId(): string {
  return randomUUID();
}
