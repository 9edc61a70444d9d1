/** One lifecycle per kind (issue 16 §1): each drives a complete money path through the API and the sandboxes' controls. */
import type { Lifecycle, LifecycleKind } from '../types';
import { moneyOutLifecycles } from './money-out';
import { onrampLifecycles } from './onramp';
import { orderLifecycles } from './orders';
import { topupLifecycles } from './topups';

export const LIFECYCLES: Record<LifecycleKind, Lifecycle> = {
  ...moneyOutLifecycles,
  ...orderLifecycles,
  ...topupLifecycles,
  ...onrampLifecycles,
};
