import type { DocumentUrlSigner } from './document-urls.ts';
import type { SimRequest } from './http-kit.ts';
import type { SimulatorState } from './state.ts';
import type { SpApiOperation } from './usage-plans.ts';

// What every SP-API handler of the simulator is given (sp-api.routes.ts, data-kiosk.routes.ts): the request of one
// authenticated selling partner, with the route's parameters.

export interface SpApiContext {
  state: SimulatorState;
  signer: DocumentUrlSigner;
  sellerId: string;
  req: SimRequest;
  params: Record<string, string>;
}

export interface SpApiRoute {
  operation: SpApiOperation;
  params: Record<string, string>;
}
