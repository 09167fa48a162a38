// The naive path with the card's libraries, as a separate process so that its whole wall time and
// peak memory can be measured: read the file, add a placeholder with @signpdf/placeholder-plain,
// sign with @signpdf/signpdf + P12Signer, write the result. Usage: node naive.mjs IN OUT P12 PASSWORD
import { readFileSync, writeFileSync } from 'node:fs';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { P12Signer } from '@signpdf/signer-p12';
import signpdfModule from '@signpdf/signpdf';

const [input, output, p12, passphrase] = process.argv.slice(2);
const signpdf = signpdfModule.default ?? signpdfModule;
const pdfBuffer = readFileSync(input);
const withPlaceholder = plainAddPlaceholder({ pdfBuffer, reason: 'bench', contactInfo: '', name: 'bench', location: '' });
const signer = new P12Signer(readFileSync(p12), { passphrase });
const signed = await signpdf.sign(withPlaceholder, signer);
writeFileSync(output, signed);
