import { createTheme, type CSSVariablesResolver } from '@mantine/core';

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
});

// Mantine's dimmed text (gray 6 on white, about 3.3:1) and placeholders fall below AA contrast
// for body text; darker shades in light mode and lighter in dark mode keep them readable.
export const cssVariablesResolver: CSSVariablesResolver = (t) => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': t.colors.gray[7],
    '--mantine-color-placeholder': t.colors.gray[7],
    '--mantine-color-anchor': t.colors.blue[8],
  },
  dark: {
    '--mantine-color-dimmed': t.colors.dark[1],
    '--mantine-color-placeholder': t.colors.dark[1],
    '--mantine-color-anchor': t.colors.blue[3],
  },
});
