import { dateOf, kcsLines, kcsTrainText, unlabelled } from '@interdict/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode, ingestText, openServicesWorld, type ServicesWorld } from './testing';

// The targeting service owns its worker threads (issue 12 §1: "createServices owns every pool …
// and has one close()"): scoring threads start on the first scoring, training threads for a
// training, and closing the services stops both (a training in progress fails, it does not hang).

const DAY = '2021-01-04';
const valid = kcsLines('df_syn_valid_eng.csv');
const dayText =
  [valid[0]!, ...valid.filter((l) => dateOf(l) === DAY).map(unlabelled)].join('\n') + '\n';

describe("the targeting service's worker threads", () => {
  let world: ServicesWorld;

  beforeAll(async () => {
    // One thread of each is enough to tell running from stopped (the machine has 2 cores).
    world = await openServicesWorld('pglite', 'targeting_workers', {
      scoreWorkers: '1',
      trainWorkers: '1',
    });
    await ingestText(world.services, world.actor, 'declarations', 'train.csv', kcsTrainText());
    await ingestText(world.services, world.actor, 'declarations', 'day.csv', dayText);
  });
  afterAll(async () => {
    await world?.close();
  });

  it('starts scoring threads on first use, and stops them and any training when closed', async () => {
    const { targeting } = world.services;
    expect(targeting.threads()).toEqual({ scoring: 0, training: 0 });
    await targeting.trainModel(world.actor, { objective: 'fraud' });
    // The training's thread stopped with it.
    expect(targeting.threads()).toEqual({ scoring: 0, training: 0 });
    await targeting.scoreDay(world.actor, { date: DAY });
    expect(targeting.threads()).toEqual({ scoring: 1, training: 0 });

    // A Critical model has bagged members: its training runs on a training thread meanwhile.
    let settled = false;
    const training = targeting
      .trainModel(world.actor, { objective: 'critical' })
      .finally(() => (settled = true));
    const failed = expectCode(training, 'STORE_UNAVAILABLE');
    while (targeting.threads().training === 0 && !settled)
      await new Promise((resolve) => setTimeout(resolve, 5));
    expect(targeting.threads().training).toBe(1);
    await world.services.close();
    await failed;
    expect(targeting.threads()).toEqual({ scoring: 0, training: 0 });
    // Closed, it starts no threads again.
    await expectCode(targeting.scoreDay(world.actor, { date: DAY }), 'STORE_UNAVAILABLE');
    expect(targeting.threads()).toEqual({ scoring: 0, training: 0 });
  });
});
