import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidCIDR,
  isValidIP,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  nameIsDNSSubdomain,
  validatePathSegmentName,
} from '../../../engine/validation/names.ts';

const LABEL_RE = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_RE = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const NAME_PART_RE = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

test('a DNS-1123 label rejects dots with their own message and other shapes with the regex message', () => {
  const cases: Array<[string, string[]]> = [
    ['web-1', []],
    ['0abc', []],
    ['a.b', ['must not contain dots']],
    ['Web', [LABEL_RE]],
    ['-web', [LABEL_RE]],
    ['', [LABEL_RE]],
    ['a'.repeat(64), ['must be no more than 63 characters']],
  ];
  for (const [value, want] of cases) assert.deepEqual(isDNS1123Label(value), want, value);
});

test('a DNS-1123 subdomain allows dots and 253 bytes', () => {
  assert.deepEqual(isDNS1123Subdomain('a.b-c.d'), []);
  assert.deepEqual(isDNS1123Subdomain('a..b'), [SUBDOMAIN_RE]);
  assert.deepEqual(isDNS1123Subdomain('a'.repeat(254)), ['must be no more than 253 characters']);
});

test('a DNS-1035 label must start with a letter', () => {
  assert.deepEqual(isDNS1035Label('svc-1'), []);
  assert.equal(isDNS1035Label('1svc').length, 1);
  assert.match(isDNS1035Label('1svc')[0], /^a DNS-1035 label must consist of/);
});

test('a qualified name has an optional subdomain prefix and a 63-byte name part', () => {
  const cases: Array<[string, string[]]> = [
    ['app', []],
    ['app.kubernetes.io/name', []],
    ['My_Key.1', []],
    ['/name', ['prefix part must be non-empty']],
    ['Example.com/name', [`prefix part ${SUBDOMAIN_RE}`]],
    ['prefix/', ['name part must be non-empty', NAME_PART_RE]],
    ['a@b', [NAME_PART_RE]],
    ['x'.repeat(64), ['name part must be no more than 63 characters']],
  ];
  for (const [value, want] of cases) assert.deepEqual(isQualifiedName(value), want, value);
  assert.deepEqual(isQualifiedName('a/b/c'), [
    "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
  ]);
});

test('a label value may be empty but not start with punctuation', () => {
  assert.deepEqual(isValidLabelValue(''), []);
  assert.deepEqual(isValidLabelValue('v1.2_x-y'), []);
  assert.equal(isValidLabelValue('-x').length, 1);
  assert.match(isValidLabelValue('-x')[0], /^a valid label must be an empty string or consist of/);
  assert.deepEqual(isValidLabelValue('v'.repeat(64)), ['must be no more than 63 characters']);
});

test('port numbers run from 1 to 65535 and port names follow IANA_SVC_NAME', () => {
  for (const p of [1, 80, 65535]) assert.deepEqual(isValidPortNum(p), []);
  for (const p of [0, -1, 65536, 80.5]) assert.deepEqual(isValidPortNum(p), ['must be between 1 and 65535, inclusive']);
  assert.deepEqual(isValidPortName('http-alt'), []);
  assert.deepEqual(isValidPortName('8080'), ['must contain at least one letter (a-z)']);
  assert.deepEqual(isValidPortName('a--b'), ['must not contain consecutive hyphens']);
  assert.deepEqual(isValidPortName('-ab'), ['must not begin or end with a hyphen']);
  assert.deepEqual(isValidPortName('HTTP'), [
    'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    'must contain at least one letter (a-z)',
  ]);
  assert.deepEqual(isValidPortName('a'.repeat(16)), ['must be no more than 15 characters']);
});

test('RBAC names are any single path segment', () => {
  assert.deepEqual(validatePathSegmentName('system:controller:x', false), []);
  assert.deepEqual(validatePathSegmentName('..', false), ["may not be '..'"]);
  assert.deepEqual(validatePathSegmentName('.', true), []);
  assert.deepEqual(validatePathSegmentName('a/b%c', false), ["may not contain '/'", "may not contain '%'"]);
});

test('a generateName prefix may end in a dash', () => {
  assert.deepEqual(nameIsDNSSubdomain('web-', true), []);
  assert.deepEqual(nameIsDNSSubdomain('web-', false), [SUBDOMAIN_RE]);
});

test('IP addresses and CIDRs are read as kube-apiserver reads them', () => {
  for (const ip of ['10.0.0.1', '010.000.000.001', '2001:db8::1', '::', '::ffff:10.0.0.1', '1:2:3:4:5:6:7:8', '::1.2.3.4']) {
    assert.deepEqual(isValidIP(ip), [], ip);
  }
  for (const ip of ['', '10.0.0', '10.0.0.256', '1::2::3', 'fe80::1%eth0', '[::1]', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::8:9', ':1::', '10.0.0.1/32']) {
    assert.deepEqual(isValidIP(ip), ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'], ip);
  }
  for (const cidr of ['10.0.0.0/8', '10.1.2.3/8', '0.0.0.0/0', '2001:db8::/32', '::/0', '10.0.0.1/32']) {
    assert.deepEqual(isValidCIDR(cidr), [], cidr);
  }
  for (const cidr of ['10.0.0.0', '10.0.0.0/33', '2001:db8::/129', '10.0.0.0/-1', '10.0.0.0/ 8', 'x/8']) {
    assert.deepEqual(isValidCIDR(cidr), ['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'], cidr);
  }
});
