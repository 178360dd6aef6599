import t from 'tap';
import {
  formatSnapshotName,
  namingSchemaProblem,
  parseSnapshotName,
  snapshotNameAt,
  tryParseSnapshotName,
} from '../../../../../plugins/pool/snapshottask/naming-schema.js';
import { fixedOffsetWallTime } from '../../../../../plugins/pool/snapshottask/wall-time.js';

t.test('validation messages (zettarepl validate_snapshot_naming_schema)', async (t) => {
  const cases: Array<[string, string | null]> = [
    ['auto-%Y-%m-%d_%H-%M', null],
    ['snap_%Y%m%d_%H%M', null],
    ['auto-%Y-%m-%d_%H-%M-%S', null],
    ['auto-%Y-%m-%d_%H-%M%z', null],
    ['backup-%s', null],
    ['snap_%y%m%d_%H%M', '%Y must be present in snapshot naming schema'],
    ['snap_%y%m%d_%H%M%%Y', '% is not an allowed character in ZFS snapshot name'],
    ['auto-%Y-%m-%d_%H', '%M must be present in snapshot naming schema'],
    ['auto/%Y-%m-%d_%H-%M', '/ is not an allowed character in ZFS snapshot name'],
    ['a@b/%Y-%m-%d_%H-%M', '@/ are not allowed characters in ZFS snapshot name'],
    ['x-%s-%Y', 'No other placeholder can be used with %s in naming schema'],
    ['auto-%Y-%m-%d_%H:%M%z', "%z and `:` can't be present in snapshot naming schema at the same time. ZFS snapshot names can't contain `+` so we use `:` instead."],
    ['auto-%Y-%m-%d_%H-%M-%e', "'e' is a bad directive in format 'auto-%Y-%m-%d_%H-%M-%e'"],
    ['auto-%Y-%m-%d_%H-%M-%H', "Invalid naming schema: redefinition of group name 'H' as group 6; was group 4"],
  ];
  for (const [schema, message] of cases) t.equal(namingSchemaProblem(schema), message, schema);
  t.match(namingSchemaProblem('%Y%m%d%H%M%I'), /^Failed to parse datetime using provided format: datetime=2000-02-29 19:40:00\+10:00/);
});

t.test('names are strftime of local time with + written as :', async (t) => {
  const at = Date.UTC(2025, 0, 2, 3, 4, 5);
  t.equal(snapshotNameAt('auto-%Y-%m-%d_%H-%M', at, 'UTC'), 'auto-2025-01-02_03-04');
  t.equal(snapshotNameAt('auto-%Y-%m-%d_%H-%M', at, 'Europe/Berlin'), 'auto-2025-01-02_04-04');
  t.equal(snapshotNameAt('auto-%Y%m%d.%H%M%z', at, 'Europe/Berlin'), 'auto-20250102.0404:0100');
  t.equal(snapshotNameAt('auto-%Y%m%d.%H%M%z', at, 'America/New_York'), 'auto-20250101.2204-0500');
  t.equal(snapshotNameAt('backup-%s', at, 'Asia/Tokyo'), `backup-${Math.floor(at / 1000)}`);
  t.equal(formatSnapshotName('%a %A %b %B %j %I%p %w %u %y', fixedOffsetWallTime(Date.UTC(2000, 1, 29, 19, 40), 0)),
    'Tue Tuesday Feb February 060 07PM 2 2 00');
});

t.test('parsing back gives the naive local time; non-matching names are null', async (t) => {
  const p = parseSnapshotName('auto-2025-01-02_03-04', 'auto-%Y-%m-%d_%H-%M', 'UTC');
  t.equal(p.wallMs, Date.UTC(2025, 0, 2, 3, 4));
  t.equal(p.offsetMinutes, null);
  const z = parseSnapshotName('auto-20250102.0404:0100', 'auto-%Y%m%d.%H%M%z', 'UTC');
  t.equal(z.wallMs, Date.UTC(2025, 0, 2, 4, 4));
  t.equal(z.offsetMinutes, 60);
  const s = parseSnapshotName(`backup-${Date.UTC(2025, 0, 2, 3, 4) / 1000}`, 'backup-%s', 'Europe/Berlin');
  t.equal(s.wallMs, Date.UTC(2025, 0, 2, 4, 4), '%s becomes local time in the configured zone');
  t.equal(tryParseSnapshotName('manual-1', 'auto-%Y-%m-%d_%H-%M', 'UTC'), null);
  t.equal(tryParseSnapshotName('auto-2025-02-30_00-00', 'auto-%Y-%m-%d_%H-%M', 'UTC'), null, 'Feb 30 does not exist');
  t.equal(tryParseSnapshotName('auto-2025-01-02_03-04x', 'auto-%Y-%m-%d_%H-%M', 'UTC'), null, 'unconverted data');
  t.ok(tryParseSnapshotName('AUTO-2025-01-02_03-04', 'auto-%Y-%m-%d_%H-%M', 'UTC'), 'case-insensitive like Python');
});
