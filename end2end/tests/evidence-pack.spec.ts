import { execFileSync } from 'node:child_process';
import { expect } from '@playwright/test';
import { demo, openHydrated, signIn, test } from './helpers';

// Every sub-clause of ISO/IEC 20000-1:2018 clauses 4–10 that Conform's library holds.
const CLAUSES = [
  '4.1', '4.2', '4.3', '4.4', '5.1', '5.2', '5.3', '6.1', '6.2', '6.3',
  '7.1', '7.2', '7.3', '7.4', '7.5', '7.6', '8.1', '8.2.1', '8.2.2', '8.2.3', '8.2.4', '8.2.5', '8.2.6',
  '8.3.1', '8.3.2', '8.3.3', '8.3.4', '8.4.1', '8.4.2', '8.4.3', '8.5.1', '8.5.2', '8.5.3',
  '8.6.1', '8.6.2', '8.6.3', '8.7.1', '8.7.2', '8.7.3', '9.1', '9.2', '9.3', '9.4', '10.1', '10.2',
];

// Opens the archive as an auditor would (any zip tool) and checks every manifest line.
const READ_PACK = `
import hashlib, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
bad = []
manifest = z.read('MANIFEST.sha256').decode().splitlines()
for line in manifest:
    digest, path = line.split('  ', 1)
    if hashlib.sha256(z.read(path)).hexdigest() != digest:
        bad.append(path)
print(json.dumps({'index': z.read('index.html').decode(), 'files': z.namelist(), 'listed': len(manifest), 'bad': bad}))
`;

test('the quality manager builds the evidence pack, follows its progress and downloads it', async ({ page, problems }) => {
  await signIn(page, demo.quality);
  await openHydrated(page, '/compliance/evidence-pack');
  await page.getByRole('button', { name: 'Build the evidence pack' }).click();

  const download = page.getByRole('link', { name: /^Download conform-evidence-pack-\d{4}-\d{2}-\d{2}\.zip$/ });
  // Progress is shown while it builds (a small pack may already be done when we look).
  await expect(page.getByRole('progressbar').or(download).first()).toBeVisible();
  await expect(download).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText(/^Ready: \d+ files/)).toBeVisible();

  const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
  expect(file.suggestedFilename()).toMatch(/^conform-evidence-pack-\d{4}-\d{2}-\d{2}\.zip$/);
  const pack = JSON.parse(execFileSync('python3', ['-c', READ_PACK, await file.path()]).toString());

  expect(pack.bad).toEqual([]);
  expect(pack.listed).toBe(pack.files.length - 1);
  for (const clause of CLAUSES) {
    expect(pack.index, `index links clause ${clause}`).toContain(`href="clauses/${clause}.html"`);
    expect(pack.files).toContain(`clauses/${clause}.html`);
  }
  for (const top of ['4', '5', '6', '7', '8', '9', '10']) {
    expect(pack.index).toContain(`Clause ${top}</h2>`);
  }
  expect(pack.files).toContain('records/changes.csv');
  expect(problems).toEqual([]);
});

test('someone without the evidence permission is not offered the pack', async ({ page }) => {
  await signIn(page, demo.requester);
  await openHydrated(page, '/compliance/evidence-pack');
  await expect(page.getByRole('button', { name: 'Build the evidence pack' })).toHaveCount(0);
});
