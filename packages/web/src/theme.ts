import {
  Badge,
  Modal,
  Table,
  TableScrollContainer,
  createTheme,
  type CSSVariablesResolver,
} from '@mantine/core';

// Shade 8 of blue keeps white text on filled buttons above the WCAG 2.2 AA contrast of 4.5:1
// (Mantine's default shade 6 gives about 3.5:1); the font stack is the system's, so nothing is
// fetched from a font CDN.
export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: { light: 8, dark: 8 },
  defaultRadius: 'md',
  focusRing: 'auto',
  cursorType: 'pointer',
  fontFamily:
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans", Arial, sans-serif',
  fontFamilyMonospace:
    'ui-monospace, SFMono-Regular, Menlo, Monaco, Consolas, "Liberation Mono", monospace',
  headings: { fontWeight: '650' },
  components: {
    // Captions name each table for screen readers; shown above it, small, like a legend.
    Table: Table.extend({
      defaultProps: { captionSide: 'top' },
      styles: { caption: { textAlign: 'left', fontSize: 'var(--mantine-font-size-sm)' } },
    }),
    // Status badges sit in narrow table cells: never truncate a one-word status.
    // A native scroller that keyboard users can focus and scroll (WCAG 2.1.1; axe's
    // scrollable-region-focusable) when a wide table overflows at tablet width.
    TableScrollContainer: TableScrollContainer.extend({
      defaultProps: { type: 'native', tabIndex: 0 },
    }),
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close dialog' } } }),
    Badge: Badge.extend({
      defaultProps: { tt: 'none' },
      styles: { root: { overflow: 'visible', flexShrink: 0 }, label: { overflow: 'visible' } },
    }),
  },
});

const tinted = [
  'blue',
  'teal',
  'red',
  'gray',
  'orange',
  'yellow',
  'green',
  'grape',
  'cyan',
] as const;
const darkText: Partial<Record<(typeof tinted)[number], string>> = {
  orange: '#8f3300',
  yellow: '#704b00',
  green: '#1e6b2a',
};

// Mantine's dimmed text (gray 6 on white, about 3.3:1) and placeholders fall below AA contrast
// for body text; darker shades in light mode and lighter in dark mode keep them readable.
export const cssVariablesResolver: CSSVariablesResolver = (t) => ({
  variables: {},
  light: {
    // "Light" variants (badges, alerts, the active nav link): text of shade 9 on shade 0 reaches
    // 4.5:1 where Mantine's shade 6 on shade 1 does not; orange and yellow need darker still.
    ...Object.fromEntries(
      tinted.flatMap((c) => [
        [`--mantine-color-${c}-light`, t.colors[c][0]],
        [`--mantine-color-${c}-light-hover`, t.colors[c][1]],
        [`--mantine-color-${c}-light-color`, darkText[c] ?? t.colors[c][9]],
      ]),
    ),
    '--mantine-primary-color-light': t.colors.blue[0],
    '--mantine-primary-color-light-hover': t.colors.blue[1],
    '--mantine-primary-color-light-color': t.colors.blue[9],
    '--mantine-color-dimmed': t.colors.gray[7],
    '--interdict-danger-text': t.colors.red[9],
    '--mantine-color-placeholder': t.colors.gray[7],
    '--mantine-color-anchor': t.colors.blue[8],
  },
  dark: {
    '--mantine-color-dimmed': t.colors.dark[1],
    '--interdict-danger-text': t.colors.red[3],
    '--mantine-color-placeholder': t.colors.dark[1],
    '--mantine-color-anchor': t.colors.blue[3],
  },
});
