import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@kennebec/ui/ui.css';
import './styles.css';
import { App } from './app.tsx';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
