import { CAUSES, type CauseId, type ChecklistGroup, type ChecklistItem } from './model.ts';

// The checklists of a case: the path a reinstatement follows and what to count of the damage, given when the case
// opens; what keeps the account healthy afterwards, added when it is reinstated. The ids are stable, so a seller's
// ticks and notes stay with their item.

type Template = readonly [key: string, label: string, hint: string];

function items(group: ChecklistGroup, templates: readonly Template[]): ChecklistItem[] {
  return templates.map(([key, label, hint]) => ({
    id: `${group}.${key}`,
    group,
    label,
    hint,
    done: false,
    note: '',
    doneAt: null,
  }));
}

const STEPS: readonly Template[] = [
  [
    'understand',
    'Understand the reasons',
    "Read Amazon's notice in full and note the policies, ASINs and orders it names and any deadline. Compare it " +
      'with the figures in this case: the plan must answer the reason Amazon gives, not the one you expect.',
  ],
  [
    'assess_damage',
    'Assess the damage',
    'Work through the damage list below: stock held by Amazon, open orders, funds held and lost revenue. It ' +
      'tells you what is urgent while the appeal is under review.',
  ],
  [
    'contact',
    'Contact Seller Performance',
    'Use Account Health or Help in Seller Central, or write to seller-performance@amazon.com. Give your seller ' +
      'ID and attach your documents. Stay professional and polite: the people reading decide your appeal.',
  ],
  [
    'plan_of_action',
    'Write the plan of action',
    'For each cause: the root cause, what you have already corrected, and what keeps it from happening again, ' +
      'with dates. Be specific and factual, and replace every placeholder.',
  ],
  [
    'submit',
    'Submit the appeal',
    'Submit through the Appeal button on the Account Health page, with the plan of action and the evidence. ' +
      'Note the date and keep a copy of everything you send.',
  ],
  [
    'get_help',
    'Get professional help if needed',
    'If the case is complex or an appeal was denied, a consultant or lawyer can help. Check their credentials and ' +
      'references with sellers they have helped, and be wary of anyone who promises a result.',
  ],
  [
    'move_forward',
    'Move forward',
    'Once reinstated, keep the preventive measures running; the moving-forward list is added to this case then.',
  ],
];

const DAMAGE: readonly Template[] = [
  [
    'inventory',
    "Inventory in Amazon's warehouses",
    'Count the units and their value at cost in fulfilment centres. Note the deadline by which a removal order ' +
      'must be placed, so the stock is not disposed of.',
  ],
  [
    'orders',
    'Open orders and customer messages',
    'List the orders still to ship or refund and the buyer messages waiting for an answer; answering them keeps ' +
      'further defects off the account.',
  ],
  [
    'funds',
    'Funds held by Amazon',
    'Note the balance and the reserve held in Payments, and the date Amazon gives for the next disbursement.',
  ],
  [
    'revenue',
    'Revenue and cash flow',
    'Estimate the sales lost per week while the account is down, and what it means for supplier payments, ' +
      'staff and loans.',
  ],
  [
    'reputation',
    'Brand reputation and customer trust',
    'Look at reviews, feedback and messages from buyers affected, and at your other sales channels.',
  ],
];

const MOVING_FORWARD: readonly Template[] = [
  [
    'preventive_measures',
    'Keep the preventive measures running',
    'Check each measure of the plan of action is still in place a month on, and who is responsible for it.',
  ],
  [
    'account_health_daily',
    'Check Account Health daily',
    'Look at Account Health every day, and read every message from Amazon in Seller Central the day it arrives.',
  ],
  [
    'alert_thresholds',
    'Set alert thresholds',
    'Set the alert margins in this app so an early warning comes well before a target is reached.',
  ],
];

const CAUSE_ITEMS: Readonly<Record<CauseId, Template>> = {
  order_defects: [
    'buyer_messages',
    'Answer buyer messages within 24 hours',
    'Every day, weekends and holidays included; read each new claim, chargeback and negative feedback the day it arrives.',
  ],
  late_shipment: [
    'handling_time',
    'Ship and confirm within the handling time',
    'Confirm each shipment on the day it leaves, and raise the handling time before peaks.',
  ],
  cancellations: [
    'stock_sync',
    'Keep stock levels in sync',
    'Check that quantities on Amazon match the stock you hold, especially where it is shared with other channels.',
  ],
  valid_tracking: [
    'tracking',
    'Ship every order with valid tracking',
    "Check each day that yesterday's shipments have a first carrier scan.",
  ],
  on_time_delivery: [
    'transit_times',
    'Review carrier transit times',
    'Compare the transit times in your shipping templates with what carriers achieve, every month.',
  ],
  invoice_defects: [
    'invoices',
    'Upload every invoice on time',
    'Check each day that every Amazon Business order shipped the day before has its invoice uploaded.',
  ],
  intellectual_property: [
    'supplier_documents',
    'Keep supplier invoices and authorizations on file',
    'For every brand you sell: invoices from the manufacturer or an authorized distributor, and any letter of authorization.',
  ],
  authenticity: [
    'supply_chain',
    'Buy only from verified sources',
    'Check each new supplier before the first order, and keep the invoices for the stock you sell.',
  ],
  condition: [
    'returns_inspection',
    'Inspect returns before resale',
    'Sell a returned item as new only if it is unopened and undamaged; watch expiry dates.',
  ],
  safety: [
    'safety_documents',
    'Keep safety documents current',
    'Hold the test reports and certificates each product needs, and follow recalls for what you sell.',
  ],
  restricted_products: [
    'restricted_check',
    'Check new products against restrictions',
    "Check Amazon's restricted products pages and approvals before listing anything new.",
  ],
  review_manipulation: [
    'buyer_contact',
    'Review everything sent to buyers',
    'Approve each message template and package insert against the customer product reviews policy.',
  ],
  listing_policy: [
    'listing_check',
    'Check listings before they go live',
    "Compare each new or changed listing with the product and the category's style rules.",
  ],
  other: [
    'amazon_messages',
    "Answer Amazon's requests on time",
    'Read what Amazon asks in each message and answer it fully before its deadline.',
  ],
};

/** The checklists a case opens with: the steps of a reinstatement, and the damage to assess. */
export function initialChecklist(): ChecklistItem[] {
  return [...items('steps', STEPS), ...items('damage', DAMAGE)];
}

/** What keeps the account healthy after reinstatement: the general habits, then one item per cause. */
export function movingForwardChecklist(causes: readonly CauseId[]): ChecklistItem[] {
  const own = CAUSES.filter((c) => causes.includes(c)).map((c) => CAUSE_ITEMS[c]);
  return items('moving_forward', [...MOVING_FORWARD, ...own]);
}
