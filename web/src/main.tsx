// Browser entry: mounts the app into #root.
import { render } from "solid-js/web";
import { App } from "./app.tsx";
import "./styles/app.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html is missing #root");
render(() => <App />, root);
