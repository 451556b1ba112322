import { describe, expect, it } from 'vitest';
import { S3Error } from '../../../../local/s3/errors.ts';
import { children, childText, parseXmlBody, toXml } from '../../../../local/s3/xml.ts';

describe('toXml', () => {
  it('writes the declaration, the S3 namespace, repeated elements and escaped text, leaving out undefined', () => {
    // Arrange
    const body = { Key: 'a&b<c>"d\'', Part: [{ N: 1 }, { N: 2 }], Missing: undefined, Flag: true };

    // Act
    const xml = toXml('Root', body);

    // Assert
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Root xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        '<Key>a&amp;b&lt;c&gt;&quot;d&apos;</Key><Part><N>1</N></Part><Part><N>2</N></Part><Flag>true</Flag></Root>',
    );
  });

  it('writes a text-only root (GetBucketLocation)', () => {
    // Arrange
    const region = 'eu-west-1';

    // Act
    const xml = toXml('LocationConstraint', region);

    // Assert
    expect(xml).toContain(
      '<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-1</LocationConstraint>',
    );
  });
});

describe('parseXmlBody', () => {
  it('keeps text as strings (leading zeros, spaces) and decodes entities', () => {
    // Arrange
    const body =
      '<?xml version="1.0"?><Delete xmlns="x"><Object><Key> 0123 &amp; b</Key></Object><Object><Key>k</Key></Object></Delete>';

    // Act
    const root = parseXmlBody(body, 'Delete');
    const keys = children(root, 'Object').map((o) => childText(o as never, 'Key'));

    // Assert
    expect(keys).toEqual([' 0123 & b', 'k']);
  });

  it.each(['', '<Delete><Object></Delete>', '<Other/>', 'not xml'])(
    'answers %j with MalformedXML',
    (body) => {
      // Arrange
      let error: unknown;

      // Act
      try {
        parseXmlBody(body, 'Delete');
      } catch (err) {
        error = err;
      }

      // Assert
      expect(error).toBeInstanceOf(S3Error);
      expect((error as S3Error).code).toBe('MalformedXML');
    },
  );

  it.each([
    [
      'an internal entity',
      '<!DOCTYPE Delete [<!ENTITY k "x">]><Delete><Object><Key>&k;</Key></Object></Delete>',
    ],
    ['an external entity', '<!DOCTYPE Delete [<!ENTITY k SYSTEM "file:///etc/passwd">]><Delete>&k;</Delete>'],
    ['a bare document type', '<?xml version="1.0"?>\n<!doctype Delete SYSTEM "x.dtd"><Delete/>'],
    [
      'nested entity expansion',
      '<!DOCTYPE Delete [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><Delete><Object><Key>&b;</Key></Object></Delete>',
    ],
  ])('refuses a body declaring %s with MalformedXML, before parsing', (_what, body) => {
    // Act
    const act = (): unknown => parseXmlBody(body, 'Delete');

    // Assert
    expect(act).toThrow(expect.objectContaining({ code: 'MalformedXML', status: 400 }));
  });
});
