import { usageError } from './errors.js';
import type { AddRouteFlags } from './add-route.js';

/** `appshell add-route <action> --worker receiver`: wired once the receiver's action registry exists. */
export async function runAddAction(_name: string, _flags: AddRouteFlags): Promise<void> {
  throw usageError('--worker receiver: receiver actions are not available in this version yet');
}
