/**
 * The share card: one custodian's share on paper, kept in a sealed envelope for years. It says
 * whose share it is and of what (organization, ceremony, share set, share i of N, any M
 * restore, the key's KCV), carries the share twice - as a QR code and as the text a person can
 * type back, each line ending in its check - leaves a box for the envelope's seal number, and
 * tells in plain words how to restore, with or without Custos.
 *
 * SECRET: the card holds the share. It is made in memory for a medium the operator chose (or
 * the printer); the caller wipes the bytes after writing them.
 */
import QRCode from 'qrcode';
import { toHex } from '../crypto/bytes';
import { formatKcv } from '../crypto/kcv';
import { shareToQrPayload } from '../shares/qr';
import type { ShareRecord } from '../shares/record';
import { Layout, type FontFiles } from './layout';

export interface ShareCardInput {
  record: ShareRecord;
  /** The record's paper text (`shareToText`), as the card prints it. */
  text: string;
  custodian: { id: string; name: string };
  organization: string;
  ceremony: { id: string; name: string };
  /** When the share set was made: the time of the transcript's `shares.split` event. */
  issued: Date;
  /** The custodian's share file beside this card, if the ceremony made one. */
  shareFile?: { name: string; protection: 'passphrase' | 'recipient' };
}

const day = (d: Date) => d.toISOString().slice(0, 10);

export async function renderShareCard(fonts: FontFiles, input: ShareCardInput): Promise<Uint8Array> {
  const { record: r, custodian, ceremony } = input;
  const setId = toHex(r.setId);
  const kcv = formatKcv(r.kcv);
  const title = `${r.rehearsal ? 'REHEARSAL ' : ''}Share card ${r.index} of ${r.count}`;
  const doc = await Layout.create(fonts, { title, subject: `Custos share card of ${custodian.name}, share set ${setId}`, date: input.issued, reference: `${input.organization}, share set ${setId}` });

  if (r.rehearsal) doc.text('REHEARSAL - a share of a throwaway key. No real ceremony takes it: destroy it after the rehearsal.', { font: 'bold', size: 12, after: 6 });
  else doc.text('SECRET - keep sealed. Anyone holding this card and enough others can rebuild the master key.', { font: 'bold', size: 9, after: 6 });
  // The QR code at the top right; who and what at its left.
  const qr = QRCode.create(shareToQrPayload(r), { errorCorrectionLevel: 'M' });
  const moduleSize = 2.2;
  const qrSide = (qr.modules.size + 8) * moduleSize;
  const qrTop = doc.fromTop;
  doc.qr({ size: qr.modules.size, get: (row, col) => qr.modules.get(row, col) }, doc.width - qrSide + moduleSize * 4, qrTop, moduleSize);
  const left = doc.width - qrSide;
  doc.text(`${custodian.name}`, { font: 'bold', size: 20, after: 1, width: left });
  doc.text(`custodian "${custodian.id}" of ${input.organization}`, { size: 10.5, after: 8, width: left });
  doc.rows(
    [
      ['Share', `${r.index} of ${r.count}; any ${r.threshold} restore the key`],
      ['Key check value', kcv, true],
      ['Master key id', toHex(r.keyId), true],
      ['Share set', setId, true],
      ['Ceremony', `${ceremony.name}`],
      ['Ceremony id', ceremony.id, true],
      ['Issued', day(input.issued)],
    ],
    { width: left, labelWidth: 92, size: 9.5 },
  );
  doc.below(qrTop + qrSide - 6);

  doc.heading('The share, to type back', 12);
  doc.text('Each line ends with two check characters: Custos names a line typed wrong at once and corrects nothing. The letters I, L, O and U are never used (0 and 1 are digits).', { size: 8.5, grey: true, after: 4 });
  const lines = input.text.trimEnd().split('\n');
  // The header on one line, as typed back: a rehearsal's (longer) one in smaller type.
  const headerSize = Math.min(8.5, (8.4 * doc.width) / doc.widthOf(lines[0]!, 'monoBold', 8.5));
  doc.text(lines[0]!, { font: 'monoBold', size: headerSize, after: 4 });
  for (const line of lines.slice(1)) doc.text(line, { font: 'mono', size: 11, indent: 20, after: 0.5 });
  doc.gap(6);

  doc.box('Envelope', 58);
  doc.gap(-58 - 8);
  doc.gap(22);
  doc.writeLine('Seal number', 8, 180);
  doc.writeLine('Sealed by', 200, 150);
  doc.writeLine('Witness', 362, 130);
  doc.gap(20);
  doc.writeLine('Date sealed', 8, 180);
  doc.writeLine('Kept in (safe, box)', 200, 292);
  doc.gap(24);

  doc.heading('To restore', 11);
  const steps = [
    `Bring this card, still sealed, to a restore ceremony. The envelope's seal number is checked against the number written above before it is opened.`,
    `In Custos, at the prompt for ${custodian.name}'s share, scan the QR code or type the lines above; run "custos share type" (or "custos share scan PICTURE" for a picture of its QR code) to check a card alone. Any ${r.threshold} of the ${r.count} shares of set ${setId.slice(0, 8)}... restore the key; Custos checks the key check value ${kcv}.`,
    input.shareFile
      ? input.shareFile.protection === 'passphrase'
        ? `Without Custos: the share file ${input.shareFile.name} is a standard age file. "age -d ${input.shareFile.name}" asks for its passphrase and prints these same lines.`
        : `Without Custos: the share file ${input.shareFile.name} is a standard age file sealed to your age key. Export your key with "custos identity export-age" while Custos works; then "age -d -i YOUR-KEY.txt ${input.shareFile.name}" prints these same lines.`
      : `Without Custos: the lines above are base32 (Crockford) of the signed share record; its layout is in the Custos design notes kept with the ceremony papers.`,
    `Never photograph, scan to a networked machine, or copy this card outside a ceremony. If it is lost or exposed, tell the ceremony administrator: the share set is then replaced (reshare) and this one revoked.`,
  ];
  for (const [i, s] of steps.entries()) doc.text(`${i + 1}.  ${s}`, { size: 8.5, after: 2, indent: 4 });
  return doc.save();
}
