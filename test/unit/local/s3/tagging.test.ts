import { describe, expect, it } from 'vitest';
import { S3Error } from '../../../../local/s3/errors.ts';
import { parseTaggingHeader, parseTaggingXml, taggingDocument } from '../../../../local/s3/tagging.ts';
import { parseXmlBody } from '../../../../local/s3/xml.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof S3Error ? err.code : 'not-an-S3Error';
  }
  return undefined;
}

describe('object and bucket tags', () => {
  it('reads a URL-encoded x-amz-tagging header in order', () => {
    // Arrange
    const header = 'team=web&owner=ci%20bot&empty=';

    // Act
    const tags = parseTaggingHeader(header);

    // Assert
    expect(tags).toEqual([
      { key: 'team', value: 'web' },
      { key: 'owner', value: 'ci bot' },
      { key: 'empty', value: '' },
    ]);
  });

  it('round-trips a Tagging document', () => {
    // Arrange
    const tags = [
      { key: 'build id', value: 'x=y+z/@:_.-' },
      { key: 'c', value: '' },
    ];

    // Act
    const parsed = parseTaggingXml(parseXmlBody(taggingDocument(tags), 'Tagging'), 'object');

    // Assert
    expect(parsed).toEqual(tags);
  });

  it('writes an empty TagSet for no tags', () => {
    // Arrange
    const tags: never[] = [];

    // Act
    const xml = taggingDocument(tags);

    // Assert
    expect(xml).toContain('<TagSet></TagSet>');
  });

  it.each([
    ['a=1&a=2', 'InvalidTag'],
    ['aws:reserved=1', 'InvalidTag'],
    [`${'k'.repeat(129)}=v`, 'InvalidTag'],
    [`k=${'v'.repeat(257)}`, 'InvalidTag'],
    ['k=semi;colon', 'InvalidTag'],
    [Array.from({ length: 11 }, (_, i) => `k${i}=v`).join('&'), 'BadRequest'],
  ])('rejects the tag set %s with %s', (header, code) => {
    // Arrange
    const call = () => parseTaggingHeader(header);

    // Act
    const result = codeOf(call);

    // Assert
    expect(result).toBe(code);
  });

  it('allows 50 bucket tags but not 51', () => {
    // Arrange
    const doc = (n: number) =>
      `<Tagging><TagSet>${Array.from({ length: n }, (_, i) => `<Tag><Key>k${i}</Key><Value>v</Value></Tag>`).join('')}</TagSet></Tagging>`;

    // Act
    const fifty = parseTaggingXml(parseXmlBody(doc(50), 'Tagging'), 'bucket');
    const code = codeOf(() => parseTaggingXml(parseXmlBody(doc(51), 'Tagging'), 'bucket'));

    // Assert
    expect(fifty).toHaveLength(50);
    expect(code).toBe('InvalidTag');
  });

  it('answers a Tagging document without a TagSet with MalformedXML', () => {
    // Arrange
    const root = parseXmlBody('<Tagging><Other/></Tagging>', 'Tagging');

    // Act
    const code = codeOf(() => parseTaggingXml(root, 'object'));

    // Assert
    expect(code).toBe('MalformedXML');
  });
});
