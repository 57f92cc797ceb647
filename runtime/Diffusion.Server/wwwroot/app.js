// The page of `diffusion serve`: no build step. It reads /v1/models and /v1/samplers, posts
// /v1/generate/stream and reads the server-sent events from the response body (EventSource
// cannot POST): step -> progress, preview -> the live image, result -> the gallery.
"use strict";

const $ = (id) => document.getElementById(id);
let models = [];

async function init() {
  const [modelList, samplers] = await Promise.all([
    fetch("/v1/models").then((r) => r.json()),
    fetch("/v1/samplers").then((r) => r.json()),
  ]);
  models = modelList;
  $("model").replaceChildren(...models.map((m) => new Option(`${m.name} (${m.shape.join("×")})`, m.name)));
  $("sampler").replaceChildren(...samplers.map((s) => new Option(s.name, s.name)));
  $("model").addEventListener("change", modelChanged);
  $("dice").addEventListener("click", () => { $("seed").value = Math.floor(Math.random() * 1e9); });
  $("settings").addEventListener("submit", (e) => { e.preventDefault(); generate(); });
  modelChanged();
  refreshStats();
}

function modelChanged() {
  const m = models.find((x) => x.name === $("model").value);
  if (!m) return;
  $("sampler").value = m.defaultSampler;
  $("class-field").hidden = m.classes === 0;
  $("guidance-field").hidden = !m.guidance;
  // A fully convolutional model takes other sizes, in multiples of its sizeMultiple; the fields start at its own.
  $("size-field").hidden = m.sizeMultiple == null;
  for (const [field, own] of [["height", m.shape[1]], ["width", m.shape[2]]])
    Object.assign($(field), { value: own, min: m.sizeMultiple ?? 1, step: m.sizeMultiple ?? 1 });
  $("class").replaceChildren(new Option("none", ""), ...Array.from({ length: m.classes }, (_, k) => new Option(String(k), String(k))));
}

function request() {
  const body = {
    model: $("model").value,
    sampler: $("sampler").value,
    steps: Number($("steps").value),
    count: Number($("count").value),
    seed: Number($("seed").value),
  };
  if (!$("size-field").hidden) {
    body.height = Number($("height").value);
    body.width = Number($("width").value);
  }
  if (!$("class-field").hidden && $("class").value !== "") {
    body.class = Number($("class").value);
    if (!$("guidance-field").hidden) body.guidance = Number($("guidance").value);
  }
  body.preview = Math.max(1, Math.round(body.steps / 15));
  return body;
}

async function generate() {
  const body = request();
  const button = $("generate");
  button.disabled = true;
  $("status").textContent = "sending…";
  $("progress").value = 0;
  try {
    const response = await fetch("/v1/generate/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      const fields = problem.errors ? Object.entries(problem.errors).map(([k, v]) => `${k}: ${v.join(" ")}`).join("; ") : "";
      const retry = response.headers.get("Retry-After");
      throw new Error(`${response.status} ${problem.title || ""} ${fields || problem.detail || ""}${retry ? ` (retry in ${retry} s)` : ""}`);
    }
    await readEvents(response.body, (name, data) => onEvent(name, data, body));
  } catch (error) {
    $("status").textContent = `error: ${error.message}`;
  } finally {
    button.disabled = false;
    refreshStats();
  }
}

async function readEvents(stream, handle) {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message", data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) name = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      handle(name, JSON.parse(data));
    }
  }
}

function onEvent(name, data, body) {
  if (name === "queued") $("status").textContent = `queued (${data.position} ahead)…`;
  else if (name === "step") {
    $("progress").value = data.step / data.steps;
    $("status").textContent = `step ${data.step} of ${data.steps}`;
  } else if (name === "preview") {
    show($("live"), data.image);
  } else if (name === "result") {
    show($("live"), data.grid);
    $("progress").value = 1;
    $("status").textContent = `done: ${data.count} sample(s), ${data.modelEvaluations} model evaluations, ${data.seconds.toFixed(2)} s`;
    addToGallery(data, body);
  } else if (name === "error") {
    $("status").textContent = `error: ${data.detail}`;
  }
}

function show(img, base64) {
  img.src = `data:image/png;base64,${base64}`;
  img.hidden = false;
}

function addToGallery(result, body) {
  const figure = document.createElement("figure");
  const img = document.createElement("img");
  img.src = `data:image/png;base64,${result.grid}`;
  img.alt = `${result.count} samples from ${result.model}`;
  const caption = document.createElement("figcaption");
  const parts = [result.model, `${result.sampler} · ${result.steps} steps`, `seed ${result.seed}`];
  if (body.height) parts.push(`${result.shape[2]}×${result.shape[3]}`);
  if (result.labels) parts.push(`class ${body.class}` + (result.guidance !== 1 ? ` · guidance ${result.guidance}` : ""));
  parts.push(`${result.seconds.toFixed(2)} s`);
  caption.textContent = parts.join(" · ");
  figure.append(img, caption);
  $("gallery").prepend(figure);
}

async function refreshStats() {
  try {
    const stats = await fetch("/v1/stats").then((r) => r.json());
    $("stats").textContent = stats.models
      .map((m) => `${m.model}: ${m.requests} requests, ${m.images} images, ${m.modelCalls} model calls, ${m.meanBatchOccupancy} rows per call`)
      .join(" · ");
  } catch { /* stats are a nicety */ }
}

init().catch((error) => { $("status").textContent = `cannot reach the server: ${error.message}`; });
