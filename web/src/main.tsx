import { render } from "preact";
import { App } from "./ui/App";
import { registerServiceWorker } from "./api/serviceWorker";
import "./styles.css";

render(<App />, document.getElementById("app")!);
registerServiceWorker();
