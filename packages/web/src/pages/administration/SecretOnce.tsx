import { Alert, Button, Code, CopyButton, Group, Modal, Stack, Text } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';

/**
 * Shows a secret (a token or a one-time password) the server will never show again: the server
 * keeps only its hash, so closing this dialog loses it.
 */
export function SecretOnce({
  title,
  intro,
  secret,
  label,
  onClose,
}: {
  title: string;
  intro: string;
  secret: string | null;
  label: string;
  onClose: () => void;
}) {
  return (
    <Modal
      opened={secret !== null}
      onClose={onClose}
      title={title}
      size="lg"
      closeOnClickOutside={false}
    >
      <Stack gap="md">
        <Alert color="yellow" variant="light" title="Shown only once">
          {intro} Copy it now: Interdict keeps only a hash of it and cannot show it again.
        </Alert>
        <Stack gap={4}>
          <Text size="sm" fw={600} id="secret-label">
            {label}
          </Text>
          <Code
            block
            aria-labelledby="secret-label"
            data-testid="secret-value"
            style={{ wordBreak: 'break-all' }}
          >
            {secret}
          </Code>
        </Stack>
        <Group justify="space-between">
          <CopyButton value={secret ?? ''} timeout={2000}>
            {({ copied, copy }) => (
              <Button
                variant={copied ? 'light' : 'filled'}
                color={copied ? 'teal' : undefined}
                leftSection={
                  copied ? <IconCheck size={16} aria-hidden /> : <IconCopy size={16} aria-hidden />
                }
                onClick={copy}
              >
                {copied ? 'Copied' : 'Copy to clipboard'}
              </Button>
            )}
          </CopyButton>
          <Button variant="default" onClick={onClose}>
            I have stored it
          </Button>
        </Group>
        <Text size="xs" c="dimmed" aria-live="polite">
          Closing this dialog removes the {label.toLowerCase()} from the screen.
        </Text>
      </Stack>
    </Modal>
  );
}
