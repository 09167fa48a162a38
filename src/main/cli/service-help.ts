// The help and the command table of `kyso service`, kept apart from the service itself: the
// WebSocket server and its library are loaded only when the command runs, not at every `kyso` start.
import type { Command } from './commands.js';

export const SERVICE_HELP = `
Dịch vụ ký số thay cho VGCA Sign Service | A drop-in for the VGCA signing service:
  kyso service [--port 8987] --allow-origin ORIGIN... --token LABEL --pin-env VAR [--module PATH]
            [--key-id HEX] [--signature-image PNG] [--seal-image PNG] [--signer-name TEXT]
            [--signer-title TEXT] [--organisation TEXT] [--preset nd30|quang-ninh]
            [--allow-file-host HOST]... [--trust PEM]... [--cert PEM]... [--crl FILE]... [--offline]
            [--data DIR] [--no-install-ca]
      Trả lời các lệnh của vgcaplugin.js (SignApproved, SignIssued, SignIncome, SignAppendix, SignCopy,
      GetVersion, GetCertInfo, Config) tại wss://127.0.0.1:PORT/<Function>, chỉ cho các trang được phép
      | Answers vgcaplugin.js calls, for allowed origins only. Lần chạy đầu tạo CA cục bộ và cài vào kho
      tin cậy của người dùng | The first run makes a local CA and installs it in the user's trust stores.
  kyso service install-ca | remove-ca
      Cài (gỡ) chứng thư CA cục bộ của Kyso vào (khỏi) kho tin cậy | Install (remove) Kyso's local CA.
`;

const lazy =
  (name: string): Command =>
  async (argv) => {
    const { SERVICE_COMMANDS } = await import('./service.js');
    return SERVICE_COMMANDS[name]!(argv);
  };

export const SERVICE_COMMANDS: Record<string, Command> = {
  service: lazy('service'),
  'service install-ca': lazy('service install-ca'),
  'service remove-ca': lazy('service remove-ca'),
};
