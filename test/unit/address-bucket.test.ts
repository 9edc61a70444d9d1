import { addressBucket } from '../../src/rate-limit';

test.each([
  ['203.0.113.7', 'addr:203.0.113.7'],
  ['::ffff:203.0.113.7', 'addr:203.0.113.7'],
  ['2001:db8:1:2:3:4:5:6', 'addr:2001:db8:1:2::/64'],
  ['2001:DB8:1:2::9', 'addr:2001:db8:1:2::/64'],
  ['2001:db8::1', 'addr:2001:db8:0:0::/64'],
  ['::1', 'addr:0:0:0:0::/64'],
  ['fe80::1%eth0', 'addr:fe80:0:0:0::/64'],
  ['2001:0db8:0001:0002:ffff::', 'addr:2001:db8:1:2::/64'],
])('the rate-limit bucket of %s is %s', (ip, bucket) => {
  expect(addressBucket(ip)).toBe(bucket);
});

test('every host of one IPv6 /64 shares a bucket; the next /64 does not', () => {
  expect(addressBucket('2001:db8:a:b::1')).toBe(addressBucket('2001:db8:a:b:ffff:ffff:ffff:ffff'));
  expect(addressBucket('2001:db8:a:c::1')).not.toBe(addressBucket('2001:db8:a:b::1'));
});
