import { describe, expect, it } from 'vitest';
import { isKnownRegion, KNOWN_REGIONS, partitionForRegion, partitionOf } from '../../../core/regions.ts';

describe('the region list', () => {
  it.each([
    'us-east-1',
    'ap-southeast-7',
    'mx-central-1',
    'ca-west-1',
    'ap-east-2',
    'cn-northwest-1',
    'us-gov-east-1',
    'eusc-de-east-1',
    'us-isob-east-1',
  ])('knows %s', (region) => {
    expect(isKnownRegion(region)).toBe(true);
  });

  it.each(['zz-fake-9', 'eu-centrl-1', 'us-west-9', 'cn-south-1'])('does not know %s', (region) => {
    expect(isKnownRegion(region)).toBe(false);
  });

  it('names each region once', () => {
    expect(new Set(KNOWN_REGIONS).size).toBe(KNOWN_REGIONS.length);
  });

  it('puts every region in the partition its code belongs to', () => {
    for (const region of KNOWN_REGIONS) {
      expect(partitionForRegion(region)?.regions[region]).toBeDefined();
    }
  });

  it.each([
    ['eu-central-1', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eu-isoe-west-1', 'aws-iso-e'],
    ['us-isof-south-1', 'aws-iso-f'],
    ['eusc-de-east-1', 'aws-eusc'],
    ['zz-fake-9', 'aws'],
  ])('gives %s the partition %s', (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
  });
});
