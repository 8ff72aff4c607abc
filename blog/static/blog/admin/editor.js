/* Carnet's post editor: live preview, Markdown toolbar and shortcuts, image uploads,
 * French-aware slug prefill and tag autocomplete. Everything here is an addition: with
 * JavaScript off the form is Django's plain admin form and still works. */
"use strict";

(function () {
  const PREVIEW_DELAY_MS = 400;
  const LIGATURES = { "œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L" };

  /* The same as blog.text.ascii_slugify (Django's slugify after folding ligatures). */
  function asciiSlugify(value) {
    return String(value)
      .replace(/[œŒæÆßøØłŁ]/g, (c) => LIGATURES[c])
      .normalize("NFKD")
      .replace(/[^\x00-\x7f]/g, "")
      .toLowerCase()
      .replace(/[^\w\s-]/g, "")
      .replace(/[-\s]+/g, "-")
      .replace(/^[-_]+|[-_]+$/g, "");
  }

  /* One request at a time, in order: the preview writes inside a transaction it rolls back,
   * and a SQLite database serves one writer at a time. */
  let queue = Promise.resolve();
  function serial(task) {
    const result = queue.then(task, task);
    queue = result.catch(() => {});
    return result;
  }

  function csrfToken(form) {
    const input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text) node.textContent = text;
    return node;
  }

  /* Insert text at the cursor, keeping the browser's undo history where it can. */
  function insert(textarea, text, selectFrom, selectTo) {
    const start = textarea.selectionStart;
    textarea.focus();
    if (!document.execCommand || !document.execCommand("insertText", false, text)) {
      textarea.setRangeText(text, start, textarea.selectionEnd, "end");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
    if (selectFrom !== undefined) textarea.setSelectionRange(start + selectFrom, start + selectTo);
  }

  function wrap(textarea, before, after, placeholder) {
    const selected = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd) || placeholder;
    insert(textarea, before + selected + after, before.length, before.length + selected.length);
  }

  function prefixLines(textarea, prefix) {
    const value = textarea.value;
    const start = value.lastIndexOf("\n", textarea.selectionStart - 1) + 1;
    let end = value.indexOf("\n", textarea.selectionEnd);
    if (end === -1) end = value.length;
    textarea.setSelectionRange(start, end);
    const lines = value.slice(start, end).split("\n");
    insert(textarea, lines.map((line, i) => (typeof prefix === "function" ? prefix(i) : prefix) + line).join("\n"));
  }

  function setupEditor(form, config) {
    const textarea = form.querySelector("#id_body");
    if (!textarea) return;
    const editor = el("div", { class: "carnet-editor" });
    const write = el("div", { class: "carnet-editor__write" });
    const toolbar = el("div", { class: "carnet-toolbar", role: "toolbar", "aria-label": config.toolbarLabel || "Markdown" });
    const status = el("p", { class: "carnet-editor__status", role: "status", "aria-live": "polite" });
    const iframe = el("iframe", {
      class: "carnet-preview",
      title: config.previewLabel || "Preview",
      // Same origin (the scroll position survives updates), never scripts.
      sandbox: "allow-same-origin",
      "data-updates": "0",
    });
    textarea.parentNode.insertBefore(editor, textarea);
    write.append(toolbar, textarea, status);
    editor.append(write, el("div", { class: "carnet-editor__preview" }));
    editor.lastChild.append(iframe);
    form.closest("body").classList.add("carnet-has-editor");

    const fileInput = el("input", { type: "file", accept: "image/jpeg,image/png,image/webp,image/gif", multiple: "", hidden: "" });
    write.append(fileInput);
    const words = config.placeholders || {};
    const buttons = [
      ["B", "bold", "Ctrl+B", () => wrap(textarea, "**", "**", words.bold || "bold")],
      ["I", "italic", "Ctrl+I", () => wrap(textarea, "_", "_", words.italic || "italic")],
      ["H", "heading", "Ctrl+Alt+H", () => prefixLines(textarea, "## ")],
      [words.linkButton || "Link", "link", "Ctrl+K", () => wrap(textarea, "[", "](https://)", words.link || "link text")],
      ["•", "list", "Ctrl+Alt+L", () => prefixLines(textarea, "- ")],
      ["❝", "quote", "Ctrl+Alt+Q", () => prefixLines(textarea, "> ")],
      ["</>", "code", "Ctrl+Alt+C", () => {
        const multiline = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd).includes("\n");
        multiline ? wrap(textarea, "```\n", "\n```", "") : wrap(textarea, "`", "`", "code");
      }],
      [words.imageButton || "Image", "image", "", () => fileInput.click()],
    ];
    const labels = config.toolbar || {};
    buttons.forEach(([text, name, keys, action]) => {
      const label = (labels[name] || name) + (keys ? ` (${keys})` : "");
      const button = el("button", { type: "button", class: `carnet-toolbar__${name}`, title: label, "aria-label": label }, text);
      button.addEventListener("click", action);
      toolbar.append(button);
    });
    const shortcuts = { b: 0, i: 1, k: 3 };
    const altShortcuts = { h: 2, l: 4, q: 5, c: 6 };
    textarea.addEventListener("keydown", (event) => {
      if (!(event.ctrlKey || event.metaKey)) return;
      const key = event.key.toLowerCase();
      const index = event.altKey ? altShortcuts[key] : shortcuts[key];
      if (index === undefined) return;
      event.preventDefault();
      buttons[index][3]();
    });

    /* Body images: the button or a drop on the textarea. */
    async function upload(files) {
      for (const file of files) {
        status.textContent = config.uploadingLabel;
        const data = new FormData();
        data.append("image", file);
        try {
          const response = await serial(() => fetch(config.uploadUrl, {
            method: "POST", body: data, credentials: "same-origin",
            headers: { "X-CSRFToken": csrfToken(form) },
          }));
          const answer = await response.json();
          if (!response.ok) throw new Error(answer.error);
          const before = textarea.value && !textarea.value.endsWith("\n") ? "\n" : "";
          insert(textarea, `${before}![${answer.alt}](${answer.url})\n`, before.length + 2, before.length + 2 + answer.alt.length);
          status.textContent = "";
        } catch (error) {
          status.textContent = error.message;
          status.setAttribute("role", "alert");
        }
      }
    }
    fileInput.addEventListener("change", () => { upload([...fileInput.files]); fileInput.value = ""; });
    textarea.addEventListener("dragover", (event) => {
      if ([...event.dataTransfer.types].includes("Files")) { event.preventDefault(); textarea.classList.add("is-dropping"); }
    });
    textarea.addEventListener("dragleave", () => textarea.classList.remove("is-dropping"));
    textarea.addEventListener("drop", (event) => {
      textarea.classList.remove("is-dropping");
      if (!event.dataTransfer.files.length) return;
      event.preventDefault();
      upload([...event.dataTransfer.files]);
    });

    /* The live preview: the whole form, debounced; while one is on its way, further changes
     * make one more (with the latest text), never a pile of them. */
    let timer = null;
    let busy = false;
    let again = false;
    async function render() {
      const data = new FormData(form);
      const image = data.get("image");
      if (image && !image.size) data.delete("image");
      const response = await serial(() => fetch(config.previewUrl, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(form) },
      }));
      const html = await response.text();
      let scroll = 0;
      try { scroll = iframe.contentWindow.scrollY; } catch (e) { /* not loaded yet */ }
      await new Promise((resolve) => {
        iframe.addEventListener("load", resolve, { once: true });
        iframe.srcdoc = response.ok ? html : `<p>${response.status} ${response.statusText}</p>`;
      });
      try { iframe.contentWindow.scrollTo(0, scroll); } catch (e) { /* ignore */ }
      const first = iframe.dataset.updates === "0";
      iframe.dataset.updates = String(Number(iframe.dataset.updates) + 1);
      if (first) {
        // Straight to the post, past the site's header.
        const article = iframe.contentDocument && iframe.contentDocument.querySelector("article");
        if (article) iframe.contentWindow.scrollTo(0, article.offsetTop - 8);
      }
    }
    async function refresh() {
      if (busy) { again = true; return; }
      busy = true;
      iframe.dataset.busy = "1";
      try {
        do {
          again = false;
          await render();
        } while (again);
      } catch (error) {
        status.textContent = error.message;
      } finally {
        busy = false;
        iframe.dataset.busy = "0";
      }
    }
    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(refresh, PREVIEW_DELAY_MS);
    }
    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    refresh();
  }

  function setupSlug(form, config) {
    const title = form.querySelector("#id_title");
    const slug = form.querySelector("#id_slug");
    if (!title || !slug || !config.prefillSlug) return;
    let manual = slug.value !== "";
    slug.addEventListener("input", () => { manual = slug.value !== ""; });
    title.addEventListener("input", () => {
      if (!manual) slug.value = asciiSlugify(title.value).slice(0, 200);
    });
  }

  function setupTags(form, config) {
    const input = form.querySelector("#id_tags");
    if (!input) return;
    const list = el("ul", { class: "carnet-suggest", role: "listbox", id: "carnet-tag-suggestions", hidden: "" });
    input.setAttribute("autocomplete", "off");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    input.insertAdjacentElement("afterend", list);
    let active = -1;
    let timer = null;

    const parts = () => input.value.split(",");
    function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; }
    function choose(name) {
      const items = parts();
      items[items.length - 1] = (items.length > 1 ? " " : "") + (name.includes(",") ? `"${name}"` : name);
      input.value = items.join(",") + ", ";
      close();
      input.focus();
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }
    function highlight(index) {
      const options = [...list.children];
      options.forEach((o, i) => o.setAttribute("aria-selected", String(i === index)));
      active = index;
    }
    async function suggest() {
      const typed = parts().pop().trim();
      if (!typed) return close();
      const url = `${config.tagsUrl}?q=${encodeURIComponent(typed)}`;
      const response = await serial(() => fetch(url, { credentials: "same-origin" }));
      if (!response.ok) return close();
      const taken = parts().slice(0, -1).map((t) => t.trim().toLowerCase());
      const names = (await response.json()).tags.filter((n) => !taken.includes(n.toLowerCase()));
      list.replaceChildren(...names.map((name) => {
        const option = el("li", { role: "option", "aria-selected": "false" }, name);
        option.addEventListener("mousedown", (event) => { event.preventDefault(); choose(name); });
        return option;
      }));
      list.hidden = !names.length;
      input.setAttribute("aria-expanded", String(!!names.length));
      active = -1;
    }
    input.addEventListener("input", (event) => {
      if (!event.isTrusted) return;
      clearTimeout(timer);
      timer = setTimeout(suggest, 150);
    });
    input.addEventListener("keydown", (event) => {
      if (list.hidden) return;
      const count = list.children.length;
      if (event.key === "ArrowDown") { event.preventDefault(); highlight((active + 1) % count); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight((active - 1 + count) % count); }
      else if (event.key === "Enter" && active >= 0) { event.preventDefault(); choose(list.children[active].textContent); }
      else if (event.key === "Escape") close();
    });
    input.addEventListener("blur", close);
  }

  function setupImageThumbnail(form) {
    const input = form.querySelector("#id_image");
    if (!input) return;
    const thumb = el("img", { class: "carnet-thumb carnet-thumb--form", alt: "", height: "90", hidden: "" });
    input.insertAdjacentElement("beforebegin", thumb);
    input.addEventListener("change", () => {
      const file = input.files[0];
      thumb.hidden = !file;
      if (file) thumb.src = URL.createObjectURL(file);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const script = document.getElementById("carnet-editor-config");
    // Posts and pages share the editor.
    const form = document.getElementById("post_form") || document.getElementById("page_form");
    if (!script || !form) return;
    const config = JSON.parse(script.textContent);
    setupSlug(form, config);
    setupTags(form, config);
    setupImageThumbnail(form);
    setupEditor(form, config);
  });

  window.carnetAsciiSlugify = asciiSlugify;
})();
