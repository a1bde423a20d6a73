// The hourly reconcile's read of entitlements: a customer's active
// entitlements are the features attached to the products of its live
// subscriptions, so the reconcile lists the features of each distinct product
// (`GET /v1/products/{id}/features`, 100 a page): a handful of requests for
// the whole account, never one per customer (Stripe's active-entitlements
// list needs a customer per call).
import type { StripeClient } from './client.js';

export interface ProductFeatureListing {
  /** Each product's active features' lookup keys. */
  byProduct: Map<string, string[]>;
  /** List pages requested. */
  pages: number;
}

export async function listProductFeatures(stripe: StripeClient, products: Iterable<string>): Promise<ProductFeatureListing> {
  const byProduct = new Map<string, string[]>();
  let pages = 0;
  for (const product of new Set(products)) {
    const keys: string[] = [];
    let startingAfter: string | undefined;
    for (;;) {
      const page = await stripe.products.listFeatures(product, { limit: 100, ...(startingAfter ? { starting_after: startingAfter } : {}) });
      pages += 1;
      for (const attached of page.data) if (attached.entitlement_feature.active !== false) keys.push(attached.entitlement_feature.lookup_key);
      if (!page.has_more || page.data.length === 0) break;
      startingAfter = page.data[page.data.length - 1]!.id;
    }
    byProduct.set(product, keys);
  }
  return { byProduct, pages };
}
