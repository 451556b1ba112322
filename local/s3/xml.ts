/**
 * XML in and out of the S3 REST protocol: documents are built from plain objects (arrays become repeated
 * elements, `undefined` members are left out) and request bodies are parsed into strings only, so keys
 * such as `0123` or ETags are never turned into numbers.
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { S3Errors } from './errors.ts';

/** The namespace S3 puts on the root of every response document. */
export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** A value in an XML document being built. */
export type XmlValue = string | number | boolean | undefined | XmlNode | readonly XmlValue[];
/** An element's children by name. */
export interface XmlNode {
  readonly [name: string]: XmlValue;
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
});

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  removeNSPrefix: true,
});

function prune(value: XmlValue): XmlValue {
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map((v) => prune(v));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, XmlValue> = {};
    for (const [name, child] of Object.entries(value as XmlNode)) {
      if (child !== undefined) out[name] = prune(child);
    }
    return out;
  }
  return value;
}

/** A complete document: the XML declaration, then `<root xmlns="…S3…">body</root>`. */
export function toXml(
  root: string,
  body: XmlNode | string,
  options: { readonly xmlns?: boolean } = {},
): string {
  const attrs = options.xmlns === false ? {} : { '@_xmlns': S3_XMLNS };
  const content =
    typeof body === 'string' ? { ...attrs, '#text': body } : { ...attrs, ...(prune(body) as XmlNode) };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: content }) as string}`;
}

/** A parsed element: text, or children by name (repeated children as arrays). */
export type ParsedXml = string | ParsedElement | ParsedXml[];
export interface ParsedElement {
  readonly [name: string]: ParsedXml;
}

/**
 * A document type declaration or entity declaration anywhere in a body. S3's request documents have
 * none; refusing them before parsing rules out entity expansion ("billion laughs") and external entities.
 */
const DECLARATION = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)\b/i;

/**
 * Parses a request body and returns its root element, which must be named `root`.
 * @throws S3Error MalformedXML when the text is not well-formed XML, declares a document type or
 *   entities, or the root is different.
 */
export function parseXmlBody(text: string, root: string): ParsedElement | string {
  if (text.trim() === '' || DECLARATION.test(text)) throw S3Errors.malformedXml();
  if (XMLValidator.validate(text) !== true) throw S3Errors.malformedXml();
  const doc = parser.parse(text) as Record<string, ParsedXml>;
  const element = doc[root];
  if (element === undefined || Array.isArray(element)) throw S3Errors.malformedXml();
  return element;
}

/** The child elements named `name` (none, one or many), as a list. */
export function children(element: ParsedElement | string, name: string): ParsedXml[] {
  if (typeof element === 'string') return [];
  const value = element[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The only child element named `name`; MalformedXML when it is repeated. */
export function child(element: ParsedElement | string, name: string): ParsedXml | undefined {
  const all = children(element, name);
  if (all.length > 1) throw S3Errors.malformedXml();
  return all[0];
}

/** The text of the only child named `name`, or `undefined`; MalformedXML when it has children. */
export function childText(element: ParsedElement | string, name: string): string | undefined {
  const value = child(element, name);
  if (value === undefined) return undefined;
  return text(value);
}

/** The text of an element; MalformedXML when it has element children. */
export function text(value: ParsedXml): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) throw S3Errors.malformedXml();
  const keys = Object.keys(value).filter((k) => k !== '#text');
  if (keys.length > 0) throw S3Errors.malformedXml();
  const inner = value['#text'];
  return typeof inner === 'string' ? inner : '';
}

/** An element that must have children (an object), or MalformedXML. */
export function element(value: ParsedXml | undefined): ParsedElement | string {
  if (value === undefined || Array.isArray(value)) throw S3Errors.malformedXml();
  return value;
}
