import { describe, expect, it } from 'vitest';
import {
  figureCounts,
  fileSize,
  isoFromLocalInput,
  localInputValue,
  placeholderSpans,
  placeholdersLeftWords,
  shortHash,
  textSegments,
  zoneOffsetMinutes,
} from './workspace.ts';

describe("the deadline's field, in the user's time zone", () => {
  it('reads a local date and time as an instant with the offset of that zone, summer or winter', () => {
    expect(isoFromLocalInput('2026-03-09T10:05', 'Europe/Berlin')).toBe('2026-03-09T10:05:00+01:00');
    expect(isoFromLocalInput('2026-07-09T10:05', 'Europe/Berlin')).toBe('2026-07-09T10:05:00+02:00');
    expect(isoFromLocalInput('2026-03-09T23:59', 'America/Los_Angeles')).toBe('2026-03-09T23:59:00-07:00');
    expect(isoFromLocalInput('2026-01-15T08:00', 'Asia/Kolkata')).toBe('2026-01-15T08:00:00+05:30');
    expect(isoFromLocalInput('2026-01-15T08:00', 'UTC')).toBe('2026-01-15T08:00:00+00:00');
    expect(Date.parse(isoFromLocalInput('2026-03-09T10:05', 'Europe/Berlin')!)).toBe(
      Date.parse('2026-03-09T09:05:00Z'),
    );
  });

  it('refuses what is not a date and time', () => {
    expect(isoFromLocalInput('', 'UTC')).toBeNull();
    expect(isoFromLocalInput('2026-02-30T10:00', 'UTC')).toBeNull();
    expect(isoFromLocalInput('tomorrow', 'UTC')).toBeNull();
  });

  it('writes an instant back as the field shows it, and round-trips', () => {
    expect(localInputValue('2026-03-09T09:05:00Z', 'Europe/Berlin')).toBe('2026-03-09T10:05');
    expect(localInputValue('2026-03-10T00:30:00Z', 'UTC')).toBe('2026-03-10T00:30');
    expect(localInputValue('2026-03-09T23:30:00Z', 'Asia/Tokyo')).toBe('2026-03-10T08:30');
    for (const zone of ['Europe/Berlin', 'America/New_York', 'Australia/Sydney']) {
      const iso = '2026-10-27T18:45:00.000Z';
      expect(Date.parse(isoFromLocalInput(localInputValue(iso, zone), zone)!)).toBe(Date.parse(iso));
    }
  });

  it("knows a zone's offset", () => {
    expect(zoneOffsetMinutes(Date.parse('2026-01-01T00:00:00Z'), 'America/New_York')).toBe(-300);
    expect(zoneOffsetMinutes(Date.parse('2026-06-01T00:00:00Z'), 'Europe/London')).toBe(60);
  });
});

describe('the texts of the workspace', () => {
  it('finds each placeholder and where it is', () => {
    const text = 'We sold [[ASINs]] from [[supplier name]].\n[[not\nclosed]]';
    expect(placeholderSpans(text)).toEqual([
      { label: 'ASINs', start: 8, end: 17 },
      { label: 'supplier name', start: 23, end: 40 },
    ]);
    expect(text.slice(8, 17)).toBe('[[ASINs]]');
    expect(textSegments('We sold [[ASINs]].')).toEqual([
      { text: 'We sold ', placeholder: false },
      { text: '[[ASINs]]', placeholder: true },
      { text: '.', placeholder: false },
    ]);
    expect(textSegments('')).toEqual([]);
  });

  it('says file sizes, hashes and counts briefly', () => {
    expect(fileSize(1)).toBe('1 byte');
    expect(fileSize(512)).toBe('512 bytes');
    expect(fileSize(20_480)).toBe('20 KB');
    expect(fileSize(1_572_864)).toBe('1.5 MB');
    expect(shortHash('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08')).toBe(
      '9f86d081884c',
    );
    expect(figureCounts({ numerator: 18, denominator: 1200 })).toBe('18 of 1,200');
    expect(figureCounts({ numerator: null, denominator: 1200 })).toBe('– of 1,200');
    expect(figureCounts({ numerator: null, denominator: null })).toBeNull();
    expect(placeholdersLeftWords(0)).toBeNull();
    expect(placeholdersLeftWords(1)).toBe('1 placeholder is still to fill in');
    expect(placeholdersLeftWords(3)).toBe('3 placeholders are still to fill in');
  });
});
