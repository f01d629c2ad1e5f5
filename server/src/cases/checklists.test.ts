import { describe, expect, it } from 'vitest';
import { initialChecklist, movingForwardChecklist } from './checklists.ts';
import { CAUSES } from './model.ts';

describe('initialChecklist', () => {
  const list = initialChecklist();
  const byId = new Map(list.map((i) => [i.id, i]));

  it('follows the path of a reinstatement, in order', () => {
    expect(list.filter((i) => i.group === 'steps').map((i) => i.id)).toEqual([
      'steps.understand',
      'steps.assess_damage',
      'steps.contact',
      'steps.plan_of_action',
      'steps.submit',
      'steps.get_help',
      'steps.move_forward',
    ]);
  });

  it('lists the damage to assess', () => {
    expect(list.filter((i) => i.group === 'damage').map((i) => i.id)).toEqual([
      'damage.inventory',
      'damage.orders',
      'damage.funds',
      'damage.revenue',
      'damage.reputation',
    ]);
  });

  it('starts with every item open, and each with a hint', () => {
    for (const item of list) {
      expect(item).toMatchObject({ done: false, note: '', doneAt: null });
      expect(item.id.startsWith(`${item.group}.`)).toBe(true);
      expect(item.label.length).toBeGreaterThan(5);
      expect(item.hint.length).toBeGreaterThan(40);
    }
    expect(byId.size).toBe(list.length);
  });

  it('gives the hints a seller needs', () => {
    expect(byId.get('steps.contact')!.hint).toContain('seller-performance@amazon.com');
    expect(byId.get('steps.contact')!.hint).toMatch(/seller ID/);
    expect(byId.get('steps.get_help')!.hint).toMatch(/credentials and references/);
    expect(byId.get('damage.inventory')!.hint).toMatch(/removal order/);
    expect(byId.get('damage.funds')!.hint).toMatch(/reserve/);
    expect(byId.get('damage.funds')!.hint).toMatch(/disbursement/);
  });

  it('gives a new list each time, so one case ticking an item does not tick another', () => {
    const a = initialChecklist();
    a[0]!.done = true;
    expect(initialChecklist()[0]!.done).toBe(false);
  });
});

describe('movingForwardChecklist', () => {
  it('keeps the general habits first, then one item per cause in the order of CAUSES', () => {
    const ids = movingForwardChecklist(['intellectual_property', 'order_defects']).map((i) => i.id);
    expect(ids).toEqual([
      'moving_forward.preventive_measures',
      'moving_forward.account_health_daily',
      'moving_forward.alert_thresholds',
      'moving_forward.buyer_messages',
      'moving_forward.supplier_documents',
    ]);
  });

  it('says what matters for the cause', () => {
    const items = movingForwardChecklist(['order_defects', 'intellectual_property']);
    const label = (id: string) => items.find((i) => i.id === id)!.label;
    expect(label('moving_forward.buyer_messages')).toMatch(/within 24 hours/);
    expect(label('moving_forward.supplier_documents')).toMatch(/supplier invoices and authorizations/);
  });

  it('gives every cause its own item, with unique ids, all open', () => {
    const items = movingForwardChecklist(CAUSES);
    expect(items).toHaveLength(3 + CAUSES.length);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    for (const item of items) {
      expect(item.group).toBe('moving_forward');
      expect(item.id.startsWith('moving_forward.')).toBe(true);
      expect(item).toMatchObject({ done: false, note: '', doneAt: null });
      expect(item.hint.length).toBeGreaterThan(30);
    }
    // The ids never clash with the lists a case opens with.
    const opening = new Set(initialChecklist().map((i) => i.id));
    for (const item of items) expect(opening.has(item.id)).toBe(false);
  });

  it('lists a cause given twice once, and nothing about a denied appeal', () => {
    const items = movingForwardChecklist(['order_defects', 'order_defects']);
    expect(items.filter((i) => i.id === 'moving_forward.buyer_messages')).toHaveLength(1);
    expect(
      movingForwardChecklist(CAUSES)
        .map((i) => `${i.label} ${i.hint}`)
        .join('\n'),
    ).not.toMatch(/denied/i);
  });
});
