import t from 'tap';
import { csvCell, toCsv } from '../../../client/console/src/csv.js';

t.test('cells: quoted when needed, quotes doubled, empty for null', async (t) => {
  t.equal(csvCell('web01'), 'web01');
  t.equal(csvCell('a,b'), '"a,b"');
  t.equal(csvCell('say "hi"'), '"say ""hi"""');
  t.equal(csvCell('two\nlines'), '"two\nlines"');
  t.equal(csvCell(null), '');
  t.equal(csvCell(42), '42');
  t.equal(csvCell(-5), '-5', 'a negative number stays a number');
  t.equal(csvCell(false), 'false');
});

t.test('formula injection: text a spreadsheet would run opens as text', async (t) => {
  t.equal(csvCell('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
  t.equal(csvCell('+1'), "'+1");
  t.equal(csvCell('-2+3'), "'-2+3");
  t.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
  t.equal(csvCell('\tcmd'), "'\tcmd");
  t.equal(csvCell('\rcmd'), `"'\rcmd"`);
  t.equal(csvCell('a=b'), 'a=b', 'only a leading sign is a formula');
});

t.test('document: heading, rows, CRLF', async (t) => {
  const doc = toCsv(
    [
      { header: 'vm', value: (r: { n: string; a: number | null }) => r.n },
      { header: 'age', value: (r: { n: string; a: number | null }) => r.a },
    ],
    [
      { n: 'web', a: 5 },
      { n: '=evil,vm', a: null },
    ],
  );
  t.equal(doc, `vm,age\r\nweb,5\r\n"'=evil,vm",\r\n`);
});
