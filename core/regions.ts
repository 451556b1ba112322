/**
 * The AWS regions the relay knows, per partition — the one home of the region list and of the
 * partition a region belongs to.
 *
 * Source: the partition data AWS publishes for its SDKs (`partitions.json`, as shipped in
 * `@aws-sdk/core` 3.981.1, the version this project installs), which is AWS's list of regions:
 * the commercial regions including every opt-in one (af-south-1, ap-east-2, ap-southeast-5/6/7,
 * ca-west-1, mx-central-1, me-west-1, sa-west-1 …), China, GovCloud (US), the European Sovereign
 * Cloud and the ISO partitions. AWS keeps opening regions: a configuration names one this list
 * does not know yet in `defaults.extraRegions` (update this list when the SDK learns it).
 */

/** An AWS partition and the region codes it holds. */
export interface Partition {
  /** The partition id, as ARNs spell it: `aws`, `aws-cn`, `aws-us-gov` … */
  readonly id: string;
  /** What region codes of this partition look like. */
  readonly pattern: RegExp;
  /** Every region code of the partition, with its name. */
  readonly regions: Readonly<Record<string, string>>;
}

/** Every partition, the commercial one last (its pattern is the widest). */
export const PARTITIONS: readonly Partition[] = [
  {
    id: 'aws-cn',
    pattern: /^cn-[a-z]+-\d+$/,
    regions: { 'cn-north-1': 'China (Beijing)', 'cn-northwest-1': 'China (Ningxia)' },
  },
  {
    id: 'aws-us-gov',
    pattern: /^us-gov-[a-z]+-\d+$/,
    regions: { 'us-gov-east-1': 'AWS GovCloud (US-East)', 'us-gov-west-1': 'AWS GovCloud (US-West)' },
  },
  {
    id: 'aws-eusc',
    pattern: /^eusc-de-[a-z]+-\d+$/,
    regions: { 'eusc-de-east-1': 'AWS European Sovereign Cloud (Germany)' },
  },
  {
    id: 'aws-iso',
    pattern: /^us-iso-[a-z]+-\d+$/,
    regions: { 'us-iso-east-1': 'US ISO East', 'us-iso-west-1': 'US ISO West' },
  },
  {
    id: 'aws-iso-b',
    pattern: /^us-isob-[a-z]+-\d+$/,
    regions: { 'us-isob-east-1': 'US ISOB East (Ohio)', 'us-isob-west-1': 'US ISOB West' },
  },
  {
    id: 'aws-iso-e',
    pattern: /^eu-isoe-[a-z]+-\d+$/,
    regions: { 'eu-isoe-west-1': 'EU ISOE West' },
  },
  {
    id: 'aws-iso-f',
    pattern: /^us-isof-[a-z]+-\d+$/,
    regions: { 'us-isof-east-1': 'US ISOF East', 'us-isof-south-1': 'US ISOF South' },
  },
  {
    id: 'aws',
    pattern: /^(us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d+$/,
    regions: {
      'af-south-1': 'Africa (Cape Town)',
      'ap-east-1': 'Asia Pacific (Hong Kong)',
      'ap-east-2': 'Asia Pacific (Taipei)',
      'ap-northeast-1': 'Asia Pacific (Tokyo)',
      'ap-northeast-2': 'Asia Pacific (Seoul)',
      'ap-northeast-3': 'Asia Pacific (Osaka)',
      'ap-south-1': 'Asia Pacific (Mumbai)',
      'ap-south-2': 'Asia Pacific (Hyderabad)',
      'ap-southeast-1': 'Asia Pacific (Singapore)',
      'ap-southeast-2': 'Asia Pacific (Sydney)',
      'ap-southeast-3': 'Asia Pacific (Jakarta)',
      'ap-southeast-4': 'Asia Pacific (Melbourne)',
      'ap-southeast-5': 'Asia Pacific (Malaysia)',
      'ap-southeast-6': 'Asia Pacific (New Zealand)',
      'ap-southeast-7': 'Asia Pacific (Thailand)',
      'ca-central-1': 'Canada (Central)',
      'ca-west-1': 'Canada West (Calgary)',
      'eu-central-1': 'Europe (Frankfurt)',
      'eu-central-2': 'Europe (Zurich)',
      'eu-north-1': 'Europe (Stockholm)',
      'eu-south-1': 'Europe (Milan)',
      'eu-south-2': 'Europe (Spain)',
      'eu-west-1': 'Europe (Ireland)',
      'eu-west-2': 'Europe (London)',
      'eu-west-3': 'Europe (Paris)',
      'il-central-1': 'Israel (Tel Aviv)',
      'me-central-1': 'Middle East (UAE)',
      'me-south-1': 'Middle East (Bahrain)',
      'me-west-1': 'Middle East (Saudi Arabia)',
      'mx-central-1': 'Mexico (Central)',
      'sa-east-1': 'South America (São Paulo)',
      'sa-west-1': 'South America (Chile)',
      'us-east-1': 'US East (N. Virginia)',
      'us-east-2': 'US East (Ohio)',
      'us-west-1': 'US West (N. California)',
      'us-west-2': 'US West (Oregon)',
    },
  },
];

/** Every region code the relay knows, all partitions. */
export const KNOWN_REGIONS: readonly string[] = PARTITIONS.flatMap((p) => Object.keys(p.regions));

/** The partition whose region codes look like `region`, or `undefined` when none does. */
export function partitionForRegion(region: string): Partition | undefined {
  return PARTITIONS.find((partition) => partition.pattern.test(region));
}

/**
 * The partition id of a region code (`aws`, `aws-cn`, `aws-us-gov`, `aws-eusc` or an ISO
 * partition), as ARNs spell it; `aws` for a code no partition claims.
 */
export function partitionOf(region: string): string {
  return partitionForRegion(region)?.id ?? 'aws';
}

/** Whether `region` is a region the relay knows (in any partition). */
export function isKnownRegion(region: string): boolean {
  return partitionForRegion(region)?.regions[region] !== undefined;
}
