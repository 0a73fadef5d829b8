/**
 * The people in the room, played for the app's end-to-end tests and the UI benchmark: a driver
 * that reads the screen as a person would (who is asked, for what) and answers through the same
 * controls: the hand-over card, file choices through main's dialog, passphrases typed into fields.
 */
import { join } from 'node:path';
import type { AppPage } from './app-page';

export interface Room {
  /** What a person types at a prompt of this kind, on this try. */
  passphrase(who: string, kind: string, attempt: number): string;
  /** The identity file a person unlocks with. */
  identity(who: string): string;
  shareFile?(who: string): string;
  /** A custodian who types their paper card instead: the card's text, and the line they first mistype. */
  paperCard?(who: string): { text: string; typo: number } | undefined;
  folder?(who: string): string;
  /** A custodian who prints their share card at the show-share moment. */
  printCard?(who: string): boolean;
  /** A custodian who shows their card to the camera at the share prompt. */
  camera?(who: string): boolean;
  /** Return true to press Cancel at this prompt instead of answering. */
  stopAt?(kind: string, who: string, attempt: number): boolean;
}

/** Play the room until the ceremony ends; returns the ending's text. Records every hand-over. */
export async function drive(a: AppPage, room: Room, handovers: string[] = [], onScreen: (name: string) => Promise<void> = async () => undefined): Promise<string> {
  const { page, app } = a;
  for (;;) {
    const el = await page.waitForSelector('.handover, .prompt, .ending', { timeout: 90_000 });
    const cls = (await el.getAttribute('class')) ?? '';
    if (cls.includes('handover')) {
      handovers.push((await page.locator('#handover-h').textContent())!);
      await onScreen('ceremony-handover');
      await page.keyboard.press('Enter'); // the continue button has the focus: the keyboard alone goes on
      await el.waitForElementState('hidden');
      continue;
    }
    if (cls.includes('ending')) return (await el.textContent())!;
    const kind = (await el.getAttribute('data-kind'))!;
    const who = (await el.getAttribute('data-who'))!;
    const attempt = Number(await el.getAttribute('data-attempt'));
    if (room.stopAt?.(kind, who, attempt)) return 'stop';
    const p = page.locator('.prompt');
    const choose = async (kindOfChoice: 'identity' | 'share' | 'folder', file: string, button: RegExp) => {
      if ((await p.locator('.chosen').textContent())?.startsWith('Chosen:')) return;
      app.picks.push({ kind: kindOfChoice, path: file });
      await p.getByRole('button', { name: button }).click();
      await p.locator('.chosen', { hasText: 'Chosen:' }).waitFor();
    };
    switch (kind) {
      case 'unlock':
        await choose('identity', room.folder ? join(room.folder(who), `${who}.identity.age`) : room.identity(who), /Choose your identity file/);
        await onScreen('ceremony-unlock');
        await p.getByLabel('Your identity passphrase').fill(room.passphrase(who, kind, attempt));
        await p.getByRole('button', { name: 'Unlock my identity' }).click();
        break;
      case 'review':
        await onScreen('ceremony-approval');
        await p.getByRole('button', { name: /^Approve a / }).click();
        break;
      case 'choose-passphrase':
      case 'choose-identity-passphrase': {
        const pass = room.passphrase(who, kind, attempt);
        await p.getByLabel(/^New passphrase/).fill(pass);
        await p.getByLabel('The same passphrase again').fill(pass);
        // The estimate comes from its worker (under the same CSP) while the person types.
        await p.getByText(/^Strength: (Very weak|Weak|Fair|Strong|Very strong)$/).waitFor();
        await onScreen(`ceremony-${kind}`);
        await p.getByRole('button', { name: 'Set my passphrase' }).click();
        break;
      }
      case 'dice': {
        // A roll that no die has is refused beside the field, then the rolls go in.
        const rolls = p.getByLabel(/^Your dice rolls/);
        await rolls.fill('3 1 4 1 5 9');
        await p.getByText('Only the digits 1 to 6: a die has no other face.').waitFor();
        await onScreen('ceremony-dice');
        await rolls.fill(Array.from({ length: 60 }, (_, i) => ((i * 7 + who.length) % 6) + 1).join(' '));
        await p.getByText('60 rolls typed; at least 50 are needed.').waitFor();
        await p.getByRole('button', { name: 'Use my rolls' }).click();
        break;
      }
      case 'reenter-passphrase':
        await p.getByLabel('Your share passphrase').fill(room.passphrase(who, kind, attempt));
        await p.getByRole('button', { name: 'Open my share' }).click();
        break;
      case 'share': {
        if (room.camera?.(who)) {
          await p.locator('label', { hasText: 'My paper card, shown to the camera' }).click();
          await p.getByText(/Hold your card flat in front of the camera|Your card’s QR code was read/).waitFor();
          await onScreen('ceremony-camera');
          break; // the code is read and sent by itself
        }
        const card = room.paperCard?.(who);
        if (card) {
          await p.locator('label', { hasText: 'My paper card, typed' }).click();
          const lines = card.text.split('\n').filter((l) => /^\d{2} {2}/.test(l));
          for (const [i, line] of lines.entries()) {
            const field = p.getByLabel(new RegExp(`^Line ${String(i + 1).padStart(2, '0')} of ${lines.length}`));
            if (i + 1 === card.typo) {
              // Two neighbours swapped: the line is named at once, nothing is corrected, and it is typed again.
              const k = [...line].findIndex((c, j) => j >= 4 && c !== ' ' && line[j + 1] !== ' ' && line[j + 1] !== undefined && line[j + 1] !== c);
              await field.fill(line.slice(0, k) + line[k + 1] + line[k] + line.slice(k + 2));
              await p.getByRole('button', { name: 'Check this line' }).click();
              await p.getByText(`card.line[${String(i + 1).padStart(2, '0')}]: the line check does not match`).waitFor();
              await onScreen('ceremony-paper-typo');
            }
            await field.fill(line);
            await p.getByRole('button', { name: 'Check this line' }).click();
          }
          // The card whole: its digest and signature checked, its share named, before it is presented.
          await p.getByText(/^The card is whole \(its digest and signature\): share \d+ of \d+/).waitFor();
          await onScreen('ceremony-paper-whole');
          await p.getByRole('button', { name: 'Present my paper share' }).click();
          break;
        }
        await choose('share', room.shareFile!(who), /Choose your share file/);
        await p.getByLabel('Its passphrase').fill(room.passphrase(who, kind, attempt));
        await onScreen('ceremony-share');
        await p.getByRole('button', { name: 'Present my share' }).click();
        break;
      }
      case 'show-share': {
        await p.getByRole('button', { name: 'Show my paper share' }).click();
        const card = await p.getByLabel('Your paper share').textContent();
        if (!/^CUSTOS (?:REHEARSAL )?SHARE \d+ OF \d+/.test(card ?? '')) throw new Error(`the paper share shown is not a card: ${card}`);
        await onScreen('ceremony-show-share');
        if (room.printCard?.(who)) {
          // The card as printed, drawn from its PDF, then sent to the print dialog.
          await p.getByText('1 page', { exact: true }).waitFor();
          await onScreen('ceremony-show-share-card');
          await p.getByRole('button', { name: 'Print my share card…' }).click();
          await p.getByText('Sent to the printer.').waitFor();
          await p.getByRole('button', { name: 'My card is printed and checked: hide it' }).click();
          break;
        }
        await p.getByRole('button', { name: 'I have checked my paper share: hide it' }).click();
        break;
      }
      case 'save-identity':
        await choose('folder', room.folder!(who), /Choose the folder on your medium/);
        await onScreen('enroll-save-identity');
        await p.getByRole('button', { name: 'Write my identity file there' }).click();
        break;
      default:
        throw new Error(`no answer for ${kind}`);
    }
    await el.waitForElementState('hidden', { timeout: 90_000 });
  }
}

