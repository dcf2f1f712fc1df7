import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { Icon } from '@tabler/icons-react';
import type { Role } from '../api';

/** One entry of the console's navigation and routing (see ./index.tsx). */
export interface PageDefinition {
  /** URL segment under `/`; the page owns everything below it (`/<path>/*`). `''` is the home page. */
  path: string;
  /** Navigation label and document title. */
  label: string;
  icon: Icon;
  /** Loaded on first visit, so each page is its own chunk (route-level code splitting). */
  component: LazyExoticComponent<ComponentType>;
  /** Roles that see the page; every role when absent. The server enforces access regardless. */
  roles?: readonly Role[];
}

export function page(
  path: string,
  label: string,
  icon: Icon,
  load: () => Promise<{ default: ComponentType }>,
  options: { roles?: readonly Role[] } = {},
): PageDefinition {
  return { path, label, icon, component: lazy(load), ...options };
}

export function pageHref(definition: PageDefinition): string {
  return `/${definition.path}`;
}
