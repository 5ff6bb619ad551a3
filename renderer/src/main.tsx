// Must stay the first import: it configures zod before any module can parse with it.
import './zod-jitless.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { selectClient } from './transport/select.ts';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('MCP Warden: the #root element is missing from index.html.');

const { client } = selectClient();

createRoot(container).render(
  <StrictMode>
    <App client={client} />
  </StrictMode>,
);
