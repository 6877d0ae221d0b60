import { render } from 'preact';
import { App } from './app';
import { loadConfig } from './config';
import './styles.css';

void loadConfig().then((config) => render(<App config={config} />, document.getElementById('app')!));
