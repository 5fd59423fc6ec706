/* GovKG explorer: search, graph (Cytoscape.js), details with provenance, annotated documents, paths.
 *
 * One plain script, no build step. Everything the user sees is built with DOM calls (never innerHTML
 * with data from the API). The view's state lives in the URL hash so a link restores it:
 *   #entity=ID&expand=1:ID,2:ID2&depth=1&types=A,B&predicates=p&departments=D&min=0.5&hidden=ID
 *    &path=SRC,TGT&hops=4&fact=ID&doc=ID&at=START-END&limit=500
 * Test hooks: window.govkg (cy, state), window.govkgLastLayoutMs (cy.add + layout of the last graph
 * change, ms), <html data-busy="N"> (requests and layouts in flight).
 */
'use strict';

(() => {
  // ---------------------------------------------------------------- constants
  const DEFAULT_LIMIT = 500; // edges per neighbourhood query (the API allows up to 2000)
  const COSE_MAX_NODES = 120; // above this the force-directed layout is too slow: concentric rings
  const MENTIONS_SHOWN = 25;
  const DEBOUNCE_MS = 180;

  // colour and shape per ontology class; a class without an entry takes its nearest ancestor's
  const PALETTE = {
    Entity: '#8c8c8c',
    Person: '#2b6cb0',
    Organization: '#6b46c1',
    GovernmentOrganization: '#2f855a',
    Department: '#276749',
    Agency: '#38a169',
    Legislature: '#0f766e',
    Committee: '#0d9488',
    Court: '#4d7c0f',
    Company: '#805ad5',
    PoliticalParty: '#b83280',
    Location: '#c05621',
    Country: '#9c4221',
    StateOrRegion: '#dd6b20',
    City: '#ed8936',
    Legislation: '#c53030',
    Act: '#9b2c2c',
    ExecutiveOrder: '#e53e3e',
    Regulation: '#f56565',
    Event: '#0891b2',
    Date: '#a16207',
    MonetaryAmount: '#854d0e',
    Position: '#4a5568',
    Program: '#b7791f',
  };
  const SHAPES = {
    Entity: 'ellipse',
    Person: 'ellipse',
    Organization: 'round-rectangle',
    GovernmentOrganization: 'round-hexagon',
    Location: 'diamond',
    Legislation: 'rectangle',
    Event: 'star',
    Date: 'tag',
    MonetaryAmount: 'octagon',
    Position: 'triangle',
    Program: 'barrel',
  };

  // ---------------------------------------------------------------- small helpers
  const $ = (sel, root = document) => root.querySelector(sel);
  const enc = encodeURIComponent;
  const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
  const fmt = (x) => (typeof x === 'number' ? x.toFixed(2) : '');
  const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value == null || value === false) continue;
      if (key === 'class') el.className = value;
      else if (key === 'dataset') Object.assign(el.dataset, value);
      else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child == null || child === false) continue;
      el.append(child instanceof Node ? child : String(child));
    }
    return el;
  }

  let busyCount = 0;
  function busy(delta) {
    busyCount += delta;
    document.documentElement.dataset.busy = String(busyCount);
  }

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  // ---------------------------------------------------------------- the bearer token
  // Asked for once, kept in session storage (never in the URL), sent as `Authorization: Bearer`;
  // a 401 brings the prompt back and the request is sent again with the new token.
  const TOKEN_KEY = 'govkg.token';
  const readToken = () => sessionStorage.getItem(TOKEN_KEY) || '';
  let tokenPrompt = null;

  function askToken(message) {
    if (tokenPrompt) return tokenPrompt;
    const dialog = $('#token-dialog');
    const form = $('#token-form');
    const input = $('#token-input');
    $('#token-message').textContent = message || '';
    input.value = '';
    tokenPrompt = new Promise((resolve) => {
      // Escape must not dismiss the prompt: the requests behind it wait for a token
      const keepOpen = (event) => event.preventDefault();
      // (a browser may close a modal dialog anyway on a repeated Escape: then it opens again)
      const reopen = () => {
        if (tokenPrompt && !dialog.open) dialog.showModal();
      };
      const done = (event) => {
        event.preventDefault();
        const token = input.value.trim();
        if (!token) return;
        sessionStorage.setItem(TOKEN_KEY, token);
        form.removeEventListener('submit', done);
        dialog.removeEventListener('cancel', keepOpen);
        dialog.removeEventListener('close', reopen);
        tokenPrompt = null;
        dialog.close();
        resolve(token);
      };
      form.addEventListener('submit', done);
      dialog.addEventListener('cancel', keepOpen);
      dialog.addEventListener('close', reopen);
    });
    if (!dialog.open) dialog.showModal();
    input.focus();
    return tokenPrompt;
  }

  function signOut() {
    sessionStorage.removeItem(TOKEN_KEY);
    window.location.reload();
  }

  async function api(path, options = {}) {
    busy(+1);
    try {
      let response;
      for (;;) {
        const init = { headers: { Accept: 'application/json' } };
        const token = readToken();
        if (token) init.headers.Authorization = `Bearer ${token}`;
        if (options.body !== undefined) {
          init.method = 'POST';
          init.headers['Content-Type'] = 'application/json';
          init.body = JSON.stringify(options.body);
        }
        try {
          response = await fetch(path, init);
        } catch (err) {
          throw new ApiError(0, `The API cannot be reached (${err.message}).`);
        }
        if (response.status !== 401) break;
        let reason = '';
        try {
          const data = await response.json();
          reason = (data && data.error && data.error.message) || '';
        } catch (err) {
          reason = '';
        }
        if (readToken() !== token) continue; // a new token came while this request was out: send it again
        sessionStorage.removeItem(TOKEN_KEY);
        busy(-1);
        try {
          await askToken(token ? `The token was refused: ${reason}` : 'This GovKG needs an access token.');
        } finally {
          busy(+1);
        }
      }
      let data = null;
      try {
        data = await response.json();
      } catch (err) {
        data = null;
      }
      if (!response.ok) {
        const message = (data && data.error && data.error.message) || response.statusText || 'request failed';
        throw new ApiError(response.status, message);
      }
      return data;
    } finally {
      busy(-1);
    }
  }

  const statusEl = () => $('#status');
  function say(message, kind = 'info') {
    const el = statusEl();
    el.textContent = message || '';
    el.className = `status ${message ? kind : ''}`;
  }
  function fail(err) {
    say(err instanceof ApiError || err instanceof Error ? err.message : String(err), 'error');
  }

  // ---------------------------------------------------------------- ontology
  const onto = { classes: new Map(), predicates: new Map() };

  function ancestors(type) {
    const cls = onto.classes.get(type);
    return cls ? cls.ancestors : [type, 'Entity'];
  }
  function colourOf(type) {
    for (const name of ancestors(type)) if (PALETTE[name]) return PALETTE[name];
    return PALETTE.Entity;
  }
  function shapeOf(type) {
    for (const name of ancestors(type)) if (SHAPES[name]) return SHAPES[name];
    return SHAPES.Entity;
  }
  function classLabel(type) {
    const cls = onto.classes.get(type);
    const label = (cls && cls.label) || type;
    return label.charAt(0).toUpperCase() + label.slice(1);
  }
  function classDepth(type) {
    return ancestors(type).length - 1;
  }
  /** Classes in tree order (parents before children, siblings by name). */
  function classTree() {
    const names = [...onto.classes.keys()];
    const children = new Map(names.map((n) => [n, []]));
    const roots = [];
    for (const name of names) {
      const parent = (onto.classes.get(name).parents || [])[0];
      if (parent && children.has(parent)) children.get(parent).push(name);
      else roots.push(name);
    }
    const out = [];
    const walk = (name) => {
      out.push(name);
      children.get(name).sort().forEach(walk);
    };
    roots.sort().forEach(walk);
    return out;
  }

  function swatch(type, size = 16) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('width', size);
    svg.setAttribute('height', size);
    svg.setAttribute('viewBox', '0 0 16 16');
    svg.setAttribute('aria-hidden', 'true');
    svg.classList.add('swatch');
    const shape = shapeOf(type);
    let el;
    const poly = (pts) => {
      const p = document.createElementNS(ns, 'polygon');
      p.setAttribute('points', pts);
      return p;
    };
    if (shape === 'ellipse') {
      el = document.createElementNS(ns, 'circle');
      el.setAttribute('cx', 8); el.setAttribute('cy', 8); el.setAttribute('r', 7);
    } else if (shape === 'round-rectangle' || shape === 'rectangle' || shape === 'barrel') {
      el = document.createElementNS(ns, 'rect');
      el.setAttribute('x', 1); el.setAttribute('y', 3); el.setAttribute('width', 14); el.setAttribute('height', 10);
      el.setAttribute('rx', shape === 'rectangle' ? 0 : shape === 'barrel' ? 5 : 3);
    } else if (shape === 'round-hexagon') el = poly('4,2 12,2 15,8 12,14 4,14 1,8');
    else if (shape === 'diamond') el = poly('8,1 15,8 8,15 1,8');
    else if (shape === 'star') el = poly('8,1 10,6 15,6 11,9.5 12.5,15 8,11.5 3.5,15 5,9.5 1,6 6,6');
    else if (shape === 'tag') el = poly('1,3 11,3 15,8 11,13 1,13');
    else if (shape === 'octagon') el = poly('5,1 11,1 15,5 15,11 11,15 5,15 1,11 1,5');
    else if (shape === 'triangle') el = poly('8,1 15,15 1,15');
    else el = poly('1,1 15,1 15,15 1,15');
    el.setAttribute('fill', colourOf(type));
    el.setAttribute('stroke', '#1a202c');
    el.setAttribute('stroke-width', '0.8');
    svg.append(el);
    return svg;
  }

  function typeChip(type) {
    return h('span', { class: 'type-chip', title: ancestors(type).join(' › ') }, swatch(type, 12), classLabel(type));
  }

  // ---------------------------------------------------------------- state and the URL
  const state = {
    entity: null, // the selected entity
    fact: null, // a fact shown in the panel (edge clicked)
    expand: [], // [{id, depth}] neighbourhoods shown, in order
    hidden: new Set(),
    depth: 1,
    types: new Set(),
    predicates: new Set(),
    departments: new Set(),
    minConfidence: 0,
    limit: DEFAULT_LIMIT,
    path: null, // {source, target, max}
    doc: null,
    at: null, // "start-end": the span to bring into view in the document
  };
  let lastHash = null;
  let lastGraphKey = null;

  function toHash(s = state) {
    const p = new URLSearchParams();
    if (s.entity) p.set('entity', s.entity);
    if (s.fact) p.set('fact', s.fact);
    if (s.expand.length) p.set('expand', s.expand.map((e) => `${e.depth}:${e.id}`).join(','));
    if (s.depth !== 1) p.set('depth', String(s.depth));
    if (s.types.size) p.set('types', [...s.types].join(','));
    if (s.predicates.size) p.set('predicates', [...s.predicates].join(','));
    if (s.departments.size) p.set('departments', [...s.departments].join(','));
    if (s.minConfidence > 0) p.set('min', String(s.minConfidence));
    if (s.limit !== DEFAULT_LIMIT) p.set('limit', String(s.limit));
    if (s.hidden.size) p.set('hidden', [...s.hidden].join(','));
    if (s.path) {
      p.set('path', `${s.path.source},${s.path.target}`);
      if (s.path.max !== 4) p.set('hops', String(s.path.max));
    }
    if (s.doc) {
      p.set('doc', s.doc);
      if (s.at) p.set('at', s.at);
    }
    // readable: keep , and : unescaped (URLSearchParams reads them back)
    const text = [...p].map(([k, v]) => `${k}=${enc(v).replace(/%2C/gi, ',').replace(/%3A/gi, ':')}`).join('&');
    return text ? `#${text}` : '';
  }

  function parseState() {
    const p = new URLSearchParams(location.search);
    for (const [k, v] of new URLSearchParams(location.hash.replace(/^#/, ''))) p.set(k, v);
    const list = (key) => (p.get(key) || '').split(',').map((x) => x.trim()).filter(Boolean);
    const int = (key, lo, hi, dflt) => {
      const v = parseInt(p.get(key), 10);
      return Number.isFinite(v) ? clamp(v, lo, hi) : dflt;
    };
    const s = {
      entity: p.get('entity') || null,
      fact: p.get('fact') || null,
      depth: int('depth', 1, 3, 1),
      types: new Set(list('types')),
      predicates: new Set(list('predicates')),
      departments: new Set(list('departments')),
      minConfidence: clamp(parseFloat(p.get('min')) || 0, 0, 1),
      limit: int('limit', 1, 2000, DEFAULT_LIMIT),
      hidden: new Set(list('hidden')),
      path: null,
      doc: p.get('doc') || null,
      at: p.get('at') || null,
      expand: [],
    };
    for (const item of list('expand')) {
      const m = /^([123]):(.+)$/.exec(item);
      s.expand.push(m ? { depth: Number(m[1]), id: m[2] } : { depth: s.depth, id: item });
    }
    if (!p.has('expand') && s.entity) s.expand.push({ depth: s.depth, id: s.entity });
    const path = list('path');
    if (path.length === 2) s.path = { source: path[0], target: path[1], max: int('hops', 1, 8, 4) };
    return s;
  }

  /** Write the state into the URL: push a history entry for navigations, replace for the rest. */
  function commit(push = false) {
    const hash = toHash();
    lastHash = hash;
    lastGraphKey = graphKey(state); // the graph shown is the state's graph
    const url = `${location.pathname}${hash}`; // a ?query link is rewritten as a #hash
    if (`${location.pathname}${location.search}${location.hash}` === url) return;
    if (push) history.pushState(null, '', url);
    else history.replaceState(null, '', url);
  }

  function graphKey(s) {
    return JSON.stringify([
      s.expand, [...s.hidden].sort(), [...s.types].sort(), [...s.predicates].sort(), [...s.departments].sort(),
      s.minConfidence, s.limit, s.path,
    ]);
  }

  function docLinkHref(docId, at) {
    return toHash({ ...state, doc: docId, at }) || '#';
  }

  // ---------------------------------------------------------------- the graph
  let cy = null;

  function cyStyle() {
    const style = [
      {
        selector: 'node',
        style: {
          label: 'data(label)',
          'font-size': 11,
          'font-family': 'system-ui, "Segoe UI", "Liberation Sans", "DejaVu Sans", sans-serif',
          color: '#1a202c',
          'text-valign': 'bottom',
          'text-margin-y': 4,
          'text-wrap': 'ellipsis',
          'text-max-width': '130px',
          'text-outline-color': '#ffffff',
          'text-outline-width': 2,
          'min-zoomed-font-size': 7,
          width: 'mapData(degree, 0, 12, 24, 50)',
          height: 'mapData(degree, 0, 12, 24, 50)',
          'background-color': PALETTE.Entity,
          shape: 'ellipse',
          'border-width': 1,
          'border-color': '#1a202c',
        },
      },
      {
        selector: 'edge',
        style: {
          width: 'mapData(confidence, 0, 1, 1, 4)',
          'line-color': '#a0aec0',
          'target-arrow-color': '#a0aec0',
          'target-arrow-shape': 'triangle',
          'curve-style': 'bezier',
          label: 'data(predicate)',
          'font-size': 9,
          color: '#4a5568',
          'text-rotation': 'autorotate',
          'text-background-color': '#ffffff',
          'text-background-opacity': 0.85,
          'text-background-padding': 1,
          'min-zoomed-font-size': 8,
        },
      },
    ];
    for (const name of onto.classes.keys()) {
      style.push({
        selector: `node[type = "${name.replace(/"/g, '')}"]`,
        style: { 'background-color': colourOf(name), shape: shapeOf(name) },
      });
    }
    style.push(
      {
        selector: 'node.expanded',
        style: { 'outline-width': 2, 'outline-color': '#4a5568', 'outline-offset': 3, 'outline-style': 'dashed' },
      },
      { selector: 'node.path', style: { 'border-width': 4, 'border-color': '#e53e3e', 'border-style': 'solid' } },
      {
        selector: 'edge.path',
        style: { 'line-color': '#e53e3e', 'target-arrow-color': '#e53e3e', width: 5, 'z-index': 10, color: '#9b2c2c' },
      },
      { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#d69e2e', 'overlay-opacity': 0 } },
      { selector: 'edge:selected', style: { 'line-color': '#d69e2e', 'target-arrow-color': '#d69e2e', width: 5 } },
      { selector: '.faded', style: { opacity: 0.18 } },
      { selector: '.filtered', style: { display: 'none' } },
    );
    return style;
  }

  function initGraph() {
    cy = cytoscape({
      container: $('#graph'),
      elements: [],
      style: cyStyle(),
      minZoom: 0.05,
      maxZoom: 4,
      boxSelectionEnabled: false,
      selectionType: 'single',
    });
    cy.on('tap', 'node', (evt) => selectEntity(evt.target.id(), { push: true }));
    cy.on('dbltap', 'node', (evt) => expandEntity(evt.target.id()));
    cy.on('tap', 'edge', (evt) => showFact(evt.target.id(), { push: true }));
    window.govkg.cy = cy;
  }

  function isRoot(id) {
    return state.expand.some((e) => e.id === id);
  }

  /** Initial positions for new nodes: around an already placed neighbour, so expansions stay put. */
  function placeNew(newNodes, edges) {
    const placed = new Map();
    cy.nodes().forEach((n) => placed.set(n.id(), n.position()));
    const adjacency = new Map();
    for (const e of edges) {
      const { source, target } = e.data;
      if (!adjacency.has(source)) adjacency.set(source, []);
      if (!adjacency.has(target)) adjacency.set(target, []);
      adjacency.get(source).push(target);
      adjacency.get(target).push(source);
    }
    const extent = cy.nodes().length ? cy.extent() : { x1: -200, x2: 200, y1: -200, y2: 200 };
    const centre = { x: (extent.x1 + extent.x2) / 2, y: (extent.y1 + extent.y2) / 2 };
    if (!placed.size && newNodes.length) { // an empty graph: a root (or the first node) in the middle
      const first = newNodes.find((n) => isRoot(n.data.id)) || newNodes[0];
      first.position = { ...centre };
      placed.set(first.data.id, first.position);
    }
    const around = new Map();
    let pending = newNodes.slice();
    for (let round = 0; pending.length && round < 6; round += 1) {
      const next = [];
      for (const node of pending) {
        if (node.position) continue;
        const anchorId = (adjacency.get(node.data.id) || []).find((id) => placed.has(id));
        if (!anchorId && round < 5) {
          next.push(node);
          continue;
        }
        const anchor = anchorId ? placed.get(anchorId) : centre;
        const k = (around.get(anchorId || '') || 0) + 1;
        around.set(anchorId || '', k);
        const angle = k * 2.39996; // golden angle
        const radius = anchorId ? 90 + 12 * Math.sqrt(k) : 40 * Math.sqrt(k);
        node.position = { x: anchor.x + radius * Math.cos(angle), y: anchor.y + radius * Math.sin(angle) };
        placed.set(node.data.id, node.position);
      }
      pending = next;
    }
  }

  function layoutOptions(nodeCount) {
    if (nodeCount <= COSE_MAX_NODES) {
      return {
        name: 'cose', animate: false, randomize: false, fit: false, padding: 40, nodeDimensionsIncludeLabels: true,
        idealEdgeLength: () => 110, nodeRepulsion: () => 12000, nodeOverlap: 12, componentSpacing: 100,
        numIter: 1000, gravity: 0.4,
      };
    }
    // rings by hop distance from the expanded entities (see ringOrder)
    return {
      name: 'concentric', animate: false, fit: false, padding: 30, avoidOverlap: true, minNodeSpacing: 6,
      concentric: (n) => n.scratch('_ring'), levelWidth: () => 1,
    };
  }

  /** For the ring layout: hop distance from the roots (multi-source BFS), and the nodes in BFS order so
   * that each ring keeps a node's neighbours next to it (the layout places a ring's nodes in order). */
  function ringOrder() {
    const nodes = cy.nodes();
    let roots = nodes.filter((n) => isRoot(n.id()) || n.id() === state.entity);
    if (roots.empty()) roots = nodes.max((n) => n.degree()).ele;
    const dist = new Map();
    const order = [];
    let frontier = [];
    roots.forEach((r) => { dist.set(r.id(), 0); order.push(r); frontier.push(r); });
    while (frontier.length) {
      const next = [];
      for (const n of frontier) {
        n.neighborhood('node').forEach((m) => {
          if (dist.has(m.id())) return;
          dist.set(m.id(), dist.get(n.id()) + 1);
          order.push(m);
          next.push(m);
        });
      }
      frontier = next;
    }
    const far = Math.max(0, ...dist.values()) + 1;
    nodes.forEach((n) => { if (!dist.has(n.id())) { dist.set(n.id(), far); order.push(n); } });
    for (const n of order) n.scratch('_ring', far - dist.get(n.id()));
    return cy.collection(order).union(cy.edges());
  }

  function runOne(eles, options) {
    return new Promise((resolve) => {
      const layout = eles.layout(options);
      layout.one('layoutstop', () => resolve());
      layout.run();
    });
  }

  /** Lay the graph out: force-directed (cose) for the connected part with the lone nodes in a grid
   * below it, or rings by hop distance for big graphs; then fit, without a giant close-up. */
  async function runLayout() {
    const options = layoutOptions(cy.nodes().length);
    if (options.name === 'concentric') {
      await runOne(ringOrder(), options);
    } else {
      const lone = cy.nodes().filter((n) => n.connectedEdges().empty());
      const rest = cy.elements().not(lone);
      if (rest.nonempty()) await runOne(rest, { ...options, fit: false });
      if (lone.nonempty()) {
        const bb = rest.nonempty() ? rest.boundingBox() : { x1: 0, x2: 0, y2: -80 };
        const cols = Math.min(lone.length, Math.ceil(Math.sqrt(lone.length * 2.5)));
        const rows = Math.ceil(lone.length / cols);
        const w = cols * 160;
        const sorted = lone.sort((a, b) => (a.data('type') + a.data('label')).localeCompare(b.data('type') + b.data('label')));
        await runOne(sorted, {
          name: 'grid', fit: false, animate: false, avoidOverlap: true, cols, rows,
          boundingBox: { x1: (bb.x1 + bb.x2) / 2 - w / 2, y1: bb.y2 + 80, w, h: rows * 90 },
        });
      }
    }
    const fitStart = performance.now();
    cy.fit(undefined, 40);
    window.govkgLastFitMs = performance.now() - fitStart;
    if (cy.zoom() > 1.5) { // a node or two: no giant close-up
      cy.zoom(1.5);
      cy.center();
    }
  }

  /** Add Cytoscape elements (skipping hidden ones and those present), lay out, measure. */
  async function addElements(elements, { layout = true } = {}) {
    const nodes = [];
    const seen = new Set();
    for (const n of elements.nodes || []) {
      const id = n.data.id;
      if (state.hidden.has(id) || seen.has(id) || cy.getElementById(id).nonempty()) continue;
      seen.add(id);
      nodes.push({ group: 'nodes', data: { ...n.data } });
    }
    const edges = [];
    for (const e of elements.edges || []) {
      const { id, source, target } = e.data;
      if (state.hidden.has(source) || state.hidden.has(target) || seen.has(id)) continue;
      if (cy.getElementById(id).nonempty()) continue;
      const has = (x) => seen.has(x) || cy.getElementById(x).nonempty();
      if (!has(source) || !has(target)) continue;
      seen.add(id);
      edges.push({ group: 'edges', data: { ...e.data } });
    }
    if (!nodes.length && !edges.length) return false;
    busy(+1);
    try {
      const started = performance.now();
      const total = cy.nodes().length + nodes.length;
      if (total <= COSE_MAX_NODES) placeNew(nodes, edges); // the ring layout places every node itself
      cy.batch(() => cy.add([...nodes, ...edges]));
      const added = performance.now();
      if (layout) await runLayout();
      const ms = performance.now() - started;
      window.govkgLastLayoutMs = ms;
      window.govkgLastLayout = {
        ms, add_ms: added - started, layout_ms: performance.now() - added,
        nodes: cy.nodes().length, edges: cy.edges().length, layout: layoutOptions(cy.nodes().length).name,
      };
      await new Promise((resolve) => requestAnimationFrame(() => resolve()));
      window.govkgLastRenderMs = performance.now() - started;
    } finally {
      busy(-1);
    }
    return true;
  }

  function typeOk(type) {
    if (!state.types.size) return true;
    return ancestors(type).some((a) => state.types.has(a));
  }
  function departmentOk(departments) {
    if (!state.departments.size) return true;
    return (departments || []).some((d) => state.departments.has(d));
  }
  function edgeOk(data) {
    return data.confidence >= state.minConfidence && (!state.predicates.size || state.predicates.has(data.predicate));
  }
  function filtersActive() {
    return state.types.size || state.predicates.size || state.departments.size || state.minConfidence > 0;
  }

  /** The filters on the graph shown: what the API would not return is hidden (roots stay). */
  function applyFilters() {
    if (!cy) return;
    const keep = (n) => isRoot(n.id()) || n.id() === state.entity || n.hasClass('path');
    cy.batch(() => {
      cy.nodes().forEach((n) => n.toggleClass('filtered', !(keep(n) || (typeOk(n.data('type')) && departmentOk(n.data('departments'))))));
      cy.edges().forEach((e) => e.toggleClass('filtered', !(e.hasClass('path') || edgeOk(e.data()))));
      if (filtersActive()) {
        cy.nodes().forEach((n) => {
          if (n.hasClass('filtered') || keep(n)) return;
          const linked = n.connectedEdges().some((e) => !e.hasClass('filtered') && !e.source().hasClass('filtered') && !e.target().hasClass('filtered'));
          if (!linked) n.addClass('filtered');
        });
      }
    });
    refreshGraphUi();
  }

  function refreshGraphUi() {
    const nodes = cy.nodes();
    const shownNodes = nodes.filter((n) => !n.hasClass('filtered'));
    const shownEdges = cy.edges().filter((e) => !e.hasClass('filtered') && !e.source().hasClass('filtered') && !e.target().hasClass('filtered'));
    const filtered = nodes.length - shownNodes.length;
    $('#graph-info').textContent = nodes.length
      ? `${plural(shownNodes.length, 'entity', 'entities')}, ${plural(shownEdges.length, 'fact')}${filtered ? ` (${filtered} filtered out)` : ''}`
      : '';
    $('#graph-empty').hidden = nodes.length > 0;
    $('#btn-show-hidden').disabled = state.hidden.size === 0;
    $('#btn-show-hidden').textContent = state.hidden.size ? `Show hidden (${state.hidden.size})` : 'Show hidden';
    const selected = state.entity && cy.getElementById(state.entity).nonempty();
    $('#btn-expand').disabled = !selected;
    $('#btn-hide').disabled = !selected;
    // the same entities as a list, for keyboards and screen readers
    const list = $('#in-graph');
    const focused = list.contains(document.activeElement) ? document.activeElement.dataset.id : null;
    list.replaceChildren(
      ...shownNodes.sort((a, b) => a.data('label').localeCompare(b.data('label'))).map((n) =>
        h('li', null, h('button', {
          type: 'button', class: `entity-button${n.id() === state.entity ? ' current' : ''}`, dataset: { id: n.id() },
          'aria-current': n.id() === state.entity ? 'true' : null,
          onclick: () => selectEntity(n.id(), { push: true }),
        }, swatch(n.data('type'), 12), n.data('label')))),
    );
    $('#in-graph-count').textContent = nodes.length ? `(${shownNodes.length})` : '';
    if (focused) { // keep the keyboard where it was
      const again = [...list.querySelectorAll('button')].find((b) => b.dataset.id === focused);
      if (again) again.focus();
    }
  }

  function neighbourhoodUrl(id, depth) {
    const p = new URLSearchParams({ depth: String(depth), limit: String(state.limit) });
    if (state.types.size) p.set('types', [...state.types].join(','));
    if (state.predicates.size) p.set('predicates', [...state.predicates].join(','));
    if (state.departments.size) p.set('departments', [...state.departments].join(','));
    if (state.minConfidence > 0) p.set('min_confidence', String(state.minConfidence));
    return `/graph/neighbourhood/${enc(id)}?${p}`;
  }

  function markRoots() {
    cy.batch(() => {
      cy.nodes().removeClass('expanded');
      for (const e of state.expand) cy.getElementById(e.id).addClass('expanded');
    });
  }

  async function expandEntity(id, { push = true } = {}) {
    if (!id) return;
    const depth = state.depth;
    try {
      say('Loading the neighbourhood…');
      const elements = await api(neighbourhoodUrl(id, depth));
      state.hidden.delete(id);
      const existing = state.expand.find((e) => e.id === id);
      if (existing) existing.depth = Math.max(existing.depth, depth);
      else state.expand.push({ id, depth });
      await addElements(elements);
      markRoots();
      applyFilters();
      const label = cy.getElementById(id).data('label') || id;
      const n = elements.nodes.length - 1;
      say(`${label}: ${n} neighbour${n === 1 ? '' : 's'} within ${depth} hop${depth === 1 ? '' : 's'}` +
        (elements.truncated ? ` (only the ${state.limit} most confident facts are shown)` : '') + '.');
      state.entity = id;
      state.fact = null;
      closeDoc({ commitState: false });
      selectNode(id);
      applyFilters();
      commit(push);
      await renderEntity(id);
    } catch (err) {
      fail(err);
    }
  }

  function selectNode(id) {
    cy.$(':selected').unselect();
    const node = cy.getElementById(id);
    if (node.empty()) return;
    node.select();
    const bb = node.renderedBoundingBox();
    const w = cy.width();
    const hh = cy.height();
    if (bb.x2 < 0 || bb.x1 > w || bb.y2 < 0 || bb.y1 > hh) cy.center(node);
  }

  /** Show an entity (adding it and its neighbourhood when it is not in the graph yet). */
  async function openEntity(id) {
    if (!id) return;
    if (cy.getElementById(id).empty() || cy.getElementById(id).hasClass('filtered')) {
      state.entity = id;
      state.fact = null;
      await expandEntity(id, { push: true });
    } else {
      await selectEntity(id, { push: true });
    }
  }

  async function selectEntity(id, { push = false } = {}) {
    say('');
    state.entity = id;
    state.fact = null;
    closeDoc({ commitState: false });
    selectNode(id);
    applyFilters();
    commit(push);
    await renderEntity(id);
  }

  function hideEntity(id) {
    if (!id) return;
    state.hidden.add(id);
    state.expand = state.expand.filter((e) => e.id !== id);
    cy.getElementById(id).remove();
    // neighbours only reachable through the hidden node go with it
    cy.nodes().forEach((n) => {
      if (!isRoot(n.id()) && n.connectedEdges().empty() && !n.hasClass('path')) n.remove();
    });
    if (state.entity === id) {
      state.entity = null;
      renderPanel();
    }
    markRoots();
    applyFilters();
    commit(true);
    say('Hidden from the graph; "Show hidden" brings it back.');
  }

  /** Query every shown neighbourhood again with the current filters and add what is new. */
  async function refetchExpansions() {
    const results = await Promise.all(state.expand.map((e) => api(neighbourhoodUrl(e.id, e.depth)).catch(() => null)));
    const merged = { nodes: [], edges: [] };
    for (const r of results) if (r) { merged.nodes.push(...r.nodes); merged.edges.push(...r.edges); }
    if (await addElements(merged)) {
      markRoots();
      applyFilters();
    }
  }

  // ---------------------------------------------------------------- paths
  async function findPath(source, target, max, { push = true } = {}) {
    try {
      say('Looking for paths…');
      const result = await api(`/graph/paths?source=${enc(source)}&target=${enc(target)}&max_length=${max}&k=3`);
      state.path = { source, target, max };
      state.entity = null;
      state.fact = null;
      clearPathHighlight();
      await addElements(result.elements);
      highlightPath(result);
      markRoots();
      applyFilters();
      commit(push);
      renderPath(result);
      const n = result.paths.length;
      say(n ? `${n} shortest path${n === 1 ? '' : 's'} of ${result.paths[0].nodes.length - 1} hop(s).` : `No path within ${max} hops.`);
      return result;
    } catch (err) {
      fail(err);
      return null;
    }
  }

  function highlightPath(result) {
    cy.batch(() => {
      const on = cy.collection();
      for (const path of result.paths) {
        for (const id of path.nodes) on.merge(cy.getElementById(id));
        for (const e of path.edges) on.merge(cy.getElementById(e.id));
      }
      on.addClass('path');
      if (on.nonempty()) cy.elements().not(on).addClass('faded');
    });
    const on = cy.elements('.path');
    if (on.nonempty()) cy.fit(on, 60);
  }

  function clearPathHighlight() {
    cy.elements().removeClass('path faded');
  }

  function clearPath() {
    state.path = null;
    clearPathHighlight();
    applyFilters();
    commit(true);
    renderPanel();
  }

  // ---------------------------------------------------------------- highlighting text
  /** Split `text` at every span boundary; `render(piece, covering spans)` builds the marked pieces. */
  function marked(text, spans, render) {
    const frag = document.createDocumentFragment();
    const clean = spans
      .map((s) => ({ ...s, start: clamp(s.start, 0, text.length), end: clamp(s.end, 0, text.length) }))
      .filter((s) => s.end > s.start);
    const points = [...new Set([0, text.length, ...clean.flatMap((s) => [s.start, s.end])])].sort((a, b) => a - b);
    for (let i = 0; i < points.length - 1; i += 1) {
      const a = points[i];
      const b = points[i + 1];
      const piece = text.slice(a, b);
      const cover = clean.filter((s) => s.start <= a && s.end >= b);
      frag.append(cover.length ? render(piece, cover) : piece);
    }
    return frag;
  }

  function sentenceWithSpans(sentence, offset, spans) {
    return h('blockquote', { class: 'sentence' }, marked(sentence, spans.map((s) => ({ ...s, start: s.start - offset, end: s.end - offset })),
      (piece, cover) => h('mark', { class: cover.map((c) => c.cls).join(' '), title: cover.map((c) => c.title).join('; ') }, piece)));
  }

  // ---------------------------------------------------------------- the side panel
  const panelBody = () => $('#panel-body');
  let panelSeq = 0;

  /** Replace the panel's content; when the focus was in the panel, it goes to the new title. */
  function setPanel(content) {
    const body = panelBody();
    const hadFocus = body.contains(document.activeElement);
    body.replaceChildren(content);
    const title = $('#panel-title');
    if (hadFocus && title) {
      title.setAttribute('tabindex', '-1');
      title.focus();
    }
  }

  function entityButton(ref) {
    return h('button', { type: 'button', class: 'entity-link', onclick: () => openEntity(ref.id), title: `${classLabel(ref.type)} — open` },
      swatch(ref.type, 11), ref.name);
  }

  function docLink(docId, title, at) {
    return h('a', {
      href: docLinkHref(docId, at), class: 'doc-link',
      onclick: (evt) => {
        evt.preventDefault();
        openDoc(docId, at, { push: true });
      },
    }, title || docId);
  }

  function provenanceItem(p, fact) {
    const spans = [
      { start: p.subject_start, end: p.subject_end, cls: 'hl-subject', title: `subject: ${fact.subject.name}` },
      { start: p.object_start, end: p.object_end, cls: 'hl-object', title: `object: ${fact.object.name}` },
    ];
    const at = `${Math.min(p.subject_start, p.object_start)}-${Math.max(p.subject_end, p.object_end)}`;
    return h('li', { class: 'provenance' },
      sentenceWithSpans(p.sentence, p.sentence_start, spans),
      h('p', { class: 'source' }, docLink(p.document_id, p.document_title, at),
        p.department ? ` · ${p.department}` : '', ` · sentence ${p.sentence_index + 1}`,
        ` · ${p.extractor.name} ${p.extractor.version}`, ` · confidence ${fmt(p.confidence)}`));
  }

  function factItem(fact) {
    return h('li', { class: 'fact' },
      h('p', { class: 'triple' }, entityButton(fact.subject), ' ',
        h('span', { class: 'predicate' }, predicateLabel(fact.predicate), ' →'), ' ', entityButton(fact.object),
        h('span', { class: 'confidence', title: 'confidence' }, fmt(fact.confidence)),
        h('button', { type: 'button', class: 'link-button small', onclick: () => showFact(fact.id, { push: true }) }, 'fact')),
      h('ul', { class: 'provenance-list', 'aria-label': 'Provenance' }, fact.provenance.map((p) => provenanceItem(p, fact))));
  }

  function predicateLabel(name) {
    const p = onto.predicates.get(name);
    return (p && p.label) || name;
  }

  function mentionItem(m) {
    return h('li', { class: 'mention-item' },
      sentenceWithSpans(m.sentence, m.sentence_start, [{ start: m.start, end: m.end, cls: 'hl-mention', title: `${m.type} (${fmt(m.confidence)})` }]),
      h('p', { class: 'source' }, docLink(m.document_id, m.document_title, `${m.start}-${m.end}`),
        m.department ? ` · ${m.department}` : '', ` · sentence ${m.sentence_index + 1}`, ` · ${m.extractor.name}`,
        ` · confidence ${fmt(m.confidence)}`));
  }

  async function renderEntity(id) {
    const seq = ++panelSeq;
    let detail;
    try {
      detail = await api(`/entities/${enc(id)}?facts=200&mentions=200`);
    } catch (err) {
      if (seq === panelSeq) fail(err);
      return;
    }
    if (seq !== panelSeq) return;
    const inGraph = cy.getElementById(id).nonempty();
    const mentionList = h('ul', { class: 'mentions', 'aria-label': 'Mentions' }, detail.mentions.slice(0, MENTIONS_SHOWN).map(mentionItem));
    const more = detail.mentions.length > MENTIONS_SHOWN
      ? h('button', {
        type: 'button', class: 'link-button', onclick: (evt) => {
          mentionList.replaceChildren(...detail.mentions.map(mentionItem));
          evt.target.remove();
        },
      }, `Show all ${detail.mentions.length} mentions`)
      : null;
    const ancestorsLine = detail.type_ancestors.slice(1).map(classLabel).join(' › ');
    setPanel(h('article', { class: 'entity-view', 'aria-labelledby': 'panel-title' },
      h('p', { class: 'kind' }, 'Entity'),
      h('h2', { id: 'panel-title' }, detail.name),
      h('p', { class: 'type-line' }, typeChip(detail.type), ancestorsLine ? h('span', { class: 'ancestors' }, ` › ${ancestorsLine}`) : ''),
      h('dl', { class: 'props' },
        h('dt', null, 'Aliases'), h('dd', null, detail.aliases.length ? detail.aliases.join(', ') : '—'),
        h('dt', null, 'Departments'), h('dd', null, detail.departments.length ? detail.departments.join(', ') : '—'),
        h('dt', null, 'Mentions'), h('dd', null, String(detail.mention_count)),
        h('dt', null, 'Facts'), h('dd', null, String(detail.facts.length)),
        h('dt', null, 'Id'), h('dd', null, h('code', null, detail.id))),
      h('div', { class: 'actions' },
        h('button', { type: 'button', id: 'panel-expand', onclick: () => expandEntity(id) },
          inGraph ? 'Expand neighbourhood' : 'Show in graph'),
        inGraph ? h('button', { type: 'button', onclick: () => hideEntity(id) }, 'Hide') : null,
        h('button', { type: 'button', id: 'panel-path-from', onclick: () => pathFrom(detail) }, 'Path from here…'),
        state.path ? h('button', { type: 'button', class: 'link-button', onclick: () => showPathPanel() }, 'Path results') : null),
      h('section', { 'aria-labelledby': 'facts-h' },
        h('h3', { id: 'facts-h' }, `Facts (${detail.facts.length})`),
        detail.facts.length ? h('ol', { class: 'facts' }, detail.facts.map(factItem)) : h('p', { class: 'hint' }, 'No facts about this entity yet.')),
      h('section', { 'aria-labelledby': 'mentions-h' },
        h('h3', { id: 'mentions-h' }, `Mentions (${detail.mention_count})`),
        mentionList, more)));
  }

  async function showFact(factId, { push = false } = {}) {
    state.fact = factId;
    commit(push);
    const seq = ++panelSeq;
    let fact;
    try {
      fact = await api(`/facts/${enc(factId)}`);
    } catch (err) {
      if (seq === panelSeq) fail(err);
      return;
    }
    if (seq !== panelSeq) return;
    cy.$(':selected').unselect();
    cy.getElementById(factId).select();
    setPanel(h('article', { class: 'fact-view', 'aria-labelledby': 'panel-title' },
      h('p', { class: 'kind' }, 'Fact'),
      h('h2', { id: 'panel-title' }, `${fact.subject.name} ${predicateLabel(fact.predicate)} ${fact.object.name}`),
      h('p', { class: 'triple' }, entityButton(fact.subject), ' ', h('span', { class: 'predicate' }, `${fact.predicate} →`), ' ',
        entityButton(fact.object), h('span', { class: 'confidence', title: 'confidence' }, fmt(fact.confidence))),
      state.entity ? h('button', { type: 'button', class: 'link-button', onclick: () => { state.fact = null; commit(true); renderPanel(); } }, '← Back to the entity') : null,
      h('h3', null, `Provenance (${fact.provenance.length})`),
      h('ul', { class: 'provenance-list' }, fact.provenance.map((p) => provenanceItem(p, fact)))));
  }

  let lastPathResult = null;
  function renderPath(result) {
    lastPathResult = result;
    const name = (id) => {
      const n = cy.getElementById(id);
      return n.nonempty() ? n.data('label') : id;
    };
    const ref = (id) => {
      const n = cy.getElementById(id);
      return { id, name: name(id), type: n.nonempty() ? n.data('type') : 'Entity' };
    };
    const items = result.paths.map((path, i) => {
      const steps = [];
      path.nodes.forEach((id, k) => {
        steps.push(entityButton(ref(id)));
        if (k < path.nodes.length - 1) {
          const next = path.nodes[k + 1];
          const hops = path.edges.filter((e) => (e.source === id && e.target === next) || (e.source === next && e.target === id));
          steps.push(h('span', { class: 'hop' }, hops.map((e) => h('button', {
            type: 'button', class: 'link-button predicate', onclick: () => showFact(e.id, { push: true }),
            title: `${name(e.source)} ${e.predicate} ${name(e.target)} (confidence ${fmt(e.confidence)})`,
          }, e.source === id ? `${e.predicate} →` : `← ${e.predicate}`))));
        }
      });
      return h('li', { class: 'path-item', 'aria-label': `Path ${i + 1}` }, steps);
    });
    setPanel(h('article', { class: 'path-view', 'aria-labelledby': 'panel-title' },
      h('p', { class: 'kind' }, 'Paths'),
      h('h2', { id: 'panel-title' }, `${name(result.source)} → ${name(result.target)}`),
      items.length ? h('ol', { class: 'paths' }, items) : h('p', { class: 'hint' }, 'No path between them within the hop limit.'),
      h('button', { type: 'button', id: 'clear-path', onclick: clearPath }, 'Clear path')));
  }

  function showPathPanel() {
    if (lastPathResult) renderPath(lastPathResult);
  }

  async function renderOverview() {
    const seq = ++panelSeq;
    let central;
    let stats = null;
    try {
      [central, stats] = await Promise.all([api('/graph/central?limit=20'), api('/stats').catch(() => null)]);
    } catch (err) {
      if (seq === panelSeq) fail(err);
      return;
    }
    if (seq !== panelSeq) return;
    setPanel(h('article', { class: 'overview', 'aria-labelledby': 'panel-title' },
      h('p', { class: 'kind' }, 'Overview'),
      h('h2', { id: 'panel-title' }, 'Central entities'),
      stats ? h('p', { class: 'hint' }, `${stats.documents} documents · ${stats.entities} entities · ${stats.facts} facts. ` +
        'Ranked by PageRank over the fact graph; pick one to start.') : null,
      central.length
        ? h('ol', { class: 'central' }, central.map((c) => h('li', null,
          h('button', { type: 'button', class: 'central-button', onclick: () => openEntity(c.id) },
            h('span', { class: 'name' }, c.name), typeChip(c.type),
            h('span', { class: 'degree', title: 'facts' }, `${c.degree} fact${c.degree === 1 ? '' : 's'}`)))))
        : h('p', { class: 'hint' }, 'The graph is empty: import documents first (govkg import …).')));
  }

  function renderPanel() {
    if (state.fact) return showFact(state.fact);
    if (state.entity) return renderEntity(state.entity);
    if (state.path && lastPathResult) return renderPath(lastPathResult);
    return renderOverview();
  }

  // ---------------------------------------------------------------- the annotated document
  let docReturnFocus = null;
  let docSeq = 0;

  async function openDoc(docId, at, { push = false } = {}) {
    state.doc = docId;
    state.at = at || null;
    commit(push);
    const seq = ++docSeq;
    const view = $('#doc-view');
    if (view.hidden) docReturnFocus = document.activeElement;
    let data;
    try {
      data = await api(`/documents/${enc(docId)}/annotated`);
    } catch (err) {
      if (seq === docSeq) fail(err);
      return;
    }
    if (seq !== docSeq) return;
    const doc = data.document;
    const [atStart, atEnd] = (at || '').split('-').map(Number);
    const spans = [];
    for (const m of data.mentions) spans.push({ kind: 'mention', start: m.start, end: m.end, m });
    for (const f of data.facts) {
      spans.push({ kind: 'subject', start: f.subject_start, end: f.subject_end, f });
      spans.push({ kind: 'object', start: f.object_start, end: f.object_end, f });
    }
    const render = (piece, cover) => {
      const mention = cover.find((c) => c.kind === 'mention');
      const args = cover.filter((c) => c.kind === 'subject' || c.kind === 'object');
      const classes = [];
      const titles = [];
      if (mention) {
        classes.push('mention');
        titles.push(`${classLabel(mention.m.type)}: ${mention.m.text}`);
      }
      for (const a of args) {
        classes.push(`arg arg-${a.kind}`);
        titles.push(`${a.kind} of “${predicateLabel(a.f.predicate)}” (${fmt(a.f.confidence)})`);
      }
      const attrs = { class: classes.join(' '), title: titles.join('; ') || null };
      if (mention) attrs.style = `--c: ${colourOf(mention.m.type)}`;
      if (mention && mention.m.entity_id) {
        const entityId = mention.m.entity_id;
        return h('a', {
          ...attrs, href: toHash({ ...state, entity: entityId, fact: null, doc: null, at: null }) || '#',
          onclick: (evt) => {
            evt.preventDefault();
            openEntity(entityId);
          },
        }, piece);
      }
      return h('span', attrs, piece);
    };
    // the span asked for (a fact's arguments, a mention, a citation) wraps its marks
    const text = document.createDocumentFragment();
    const hasTarget = Number.isFinite(atStart) && Number.isFinite(atEnd) && atEnd > atStart;
    const cut = hasTarget ? [0, clamp(atStart, 0, doc.text.length), clamp(atEnd, 0, doc.text.length), doc.text.length] : [0, doc.text.length];
    for (let i = 0; i < cut.length - 1; i += 1) {
      const [a, b] = [cut[i], cut[i + 1]];
      const part = marked(doc.text.slice(a, b), spans.map((sp) => ({ ...sp, start: sp.start - a, end: sp.end - a })), render);
      text.append(hasTarget && i === 1 ? h('span', { class: 'target', id: 'doc-target' }, part) : part);
    }
    const typesPresent = [...new Set(data.mentions.map((m) => m.type))].sort();
    const meta = [doc.source_name, doc.department, doc.published, (doc.labels || []).join(', ')].filter(Boolean).join(' · ');
    const byId = new Map(data.mentions.filter((m) => m.entity_id).map((m) => [m.entity_id, m.text]));
    view.replaceChildren(
      h('div', { class: 'doc-head' },
        h('div', null,
          h('p', { class: 'kind' }, 'Annotated document'),
          h('h2', { id: 'doc-title', tabindex: '-1' }, doc.title),
          h('p', { class: 'hint' }, meta),
          h('p', { class: 'doc-legend' }, `${data.mentions.length} mentions, ${data.facts.length} facts. `,
            typesPresent.map((t) => h('span', { class: 'mention legend-mention', style: `--c: ${colourOf(t)}` }, classLabel(t))),
            data.facts.length ? [' ', h('span', { class: 'arg arg-subject' }, 'fact subject'), ' ', h('span', { class: 'arg arg-object' }, 'fact object')] : null)),
        h('button', { type: 'button', id: 'doc-close', onclick: () => closeDoc({ commitState: true }), 'aria-label': 'Close the document and go back to the graph' }, 'Close ✕')),
      data.facts.length ? h('details', { class: 'doc-facts' }, h('summary', null, `Facts in this document (${data.facts.length})`),
        h('ul', null, data.facts.map((f) => h('li', null,
          h('button', { type: 'button', class: 'link-button', onclick: () => showFact(f.fact_id, { push: true }) },
            `${byId.get(f.subject_id) || f.subject_id} ${f.predicate} ${byId.get(f.object_id) || f.object_id}`))))) : null,
      h('div', { class: 'doc-text', lang: 'en' }, text));
    view.hidden = false;
    const targetEl = view.querySelector('.target');
    if (targetEl) targetEl.scrollIntoView({ block: 'center' });
    else view.scrollTop = 0;
    $('#doc-title').focus({ preventScroll: true });
  }

  function closeDoc({ commitState = true } = {}) {
    const view = $('#doc-view');
    if (view.hidden && !state.doc) return;
    state.doc = null;
    state.at = null;
    view.hidden = true;
    view.replaceChildren();
    if (commitState) {
      commit(true);
      if (docReturnFocus && document.contains(docReturnFocus)) docReturnFocus.focus();
      else $('#graph').focus();
    }
  }

  // ---------------------------------------------------------------- autocomplete
  function combobox(input, list, onSelect) {
    let hits = [];
    let active = -1;
    let seq = 0;
    let timer = null;
    let enterPending = false;

    const open = () => {
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
    };
    const close = () => {
      list.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      active = -1;
    };
    const setActive = (i) => {
      const options = list.querySelectorAll('[role="option"]');
      options.forEach((o, k) => o.setAttribute('aria-selected', k === i ? 'true' : 'false'));
      active = i;
      if (i >= 0 && options[i]) {
        input.setAttribute('aria-activedescendant', options[i].id);
        options[i].scrollIntoView({ block: 'nearest' });
      } else input.removeAttribute('aria-activedescendant');
    };
    const choose = (i) => {
      const hit = hits[i];
      if (!hit) return;
      input.value = hit.name;
      input.dataset.id = hit.id;
      close();
      onSelect(hit);
    };
    const render = () => {
      list.replaceChildren();
      if (!hits.length) {
        list.append(h('li', { class: 'no-match', role: 'presentation' }, 'No matching entity'));
      }
      hits.forEach((hit, i) => {
        const alias = hit.matched && hit.matched !== hit.name ? h('span', { class: 'matched' }, `“${hit.matched}”`) : null;
        list.append(h('li', {
          id: `${list.id}-${i}`, role: 'option', 'aria-selected': 'false', class: 'option',
          onmousedown: (evt) => evt.preventDefault(), // keep the focus in the input
          onclick: () => choose(i),
        }, swatch(hit.type, 12), h('span', { class: 'name' }, hit.name), alias,
        h('span', { class: 'meta' }, `${classLabel(hit.type)} · ${hit.mention_count} mention${hit.mention_count === 1 ? '' : 's'}`)));
      });
      open();
      setActive(-1);
    };
    const search = async () => {
      clearTimeout(timer);
      timer = null;
      const q = input.value.trim();
      const mine = ++seq;
      if (!q) {
        hits = [];
        list.removeAttribute('aria-busy');
        close();
        return;
      }
      let found;
      try {
        found = await api(`/entities?q=${enc(q)}&limit=10`);
      } catch (err) {
        if (mine === seq) {
          list.removeAttribute('aria-busy');
          fail(err);
        }
        return;
      }
      if (mine !== seq || input.value.trim() !== q) return;
      list.removeAttribute('aria-busy');
      hits = found;
      render();
      if (enterPending) {
        enterPending = false;
        if (hits.length) choose(0);
      }
    };
    input.addEventListener('input', () => {
      delete input.dataset.id;
      enterPending = false;
      list.setAttribute('aria-busy', 'true'); // until the results for what is typed now are in
      clearTimeout(timer);
      timer = setTimeout(search, DEBOUNCE_MS);
    });
    input.addEventListener('keydown', (evt) => {
      const isOpen = !list.hidden && hits.length > 0;
      if (evt.key === 'ArrowDown') {
        evt.preventDefault();
        if (list.hidden && hits.length) open();
        if (hits.length) setActive((active + 1) % hits.length);
      } else if (evt.key === 'ArrowUp') {
        evt.preventDefault();
        if (hits.length) setActive(active <= 0 ? hits.length - 1 : active - 1);
      } else if (evt.key === 'Enter') {
        if (timer || (input.value.trim() && !input.dataset.id && !isOpen)) {
          // still typing: search now and take the best hit
          evt.preventDefault();
          enterPending = true;
          search();
        } else if (isOpen) {
          evt.preventDefault();
          choose(active >= 0 ? active : 0);
        }
      } else if (evt.key === 'Escape') {
        if (!list.hidden) {
          evt.preventDefault();
          close();
        } else if (input.value) {
          evt.preventDefault();
          input.value = '';
          delete input.dataset.id;
          hits = [];
        }
      } else if (evt.key === 'Tab') close();
    });
    input.addEventListener('blur', () => setTimeout(close, 100));
    input.addEventListener('focus', () => {
      if (hits.length && input.value.trim() && !input.dataset.id) render();
    });
    return {
      set(id, name) {
        input.value = name || '';
        if (id) input.dataset.id = id;
        else delete input.dataset.id;
        hits = [];
        close();
      },
      /** The chosen entity id, or the best hit for the typed text. */
      async resolve() {
        if (input.dataset.id) return input.dataset.id;
        const q = input.value.trim();
        if (!q) return null;
        const found = await api(`/entities?q=${enc(q)}&limit=1`);
        if (!found.length) throw new Error(`No entity matches “${q}”.`);
        input.value = found[0].name;
        input.dataset.id = found[0].id;
        return found[0].id;
      },
    };
  }

  // ---------------------------------------------------------------- filters UI
  function checkList(container, items, key, onChange) {
    container.replaceChildren(...items.map((item) => {
      const id = `${container.id}-${item.value.replace(/[^A-Za-z0-9_-]/g, '_')}`;
      return h('div', { class: 'check', style: item.depth ? `padding-left: ${item.depth * 12}px` : null },
        h('input', {
          type: 'checkbox', id, value: item.value, checked: state[key].has(item.value),
          onchange: (evt) => {
            if (evt.target.checked) state[key].add(item.value);
            else state[key].delete(item.value);
            onChange();
          },
        }),
        h('label', { for: id }, item.swatch || null, item.label, item.count != null ? h('span', { class: 'count' }, ` ${item.count}`) : null));
    }));
  }

  const filterOptions = { types: [], predicates: [], departments: [] };

  function renderFilters() {
    checkList($('#types-filter'), filterOptions.types, 'types', filtersChanged);
    checkList($('#predicates-filter'), filterOptions.predicates, 'predicates', filtersChanged);
    checkList($('#departments-filter'), filterOptions.departments, 'departments', filtersChanged);
    syncFilterControls();
  }

  function syncFilterControls() {
    $('#depth').value = String(state.depth);
    $('#min-confidence').value = String(state.minConfidence);
    $('#min-confidence-value').textContent = state.minConfidence.toFixed(2);
    for (const [box, set] of [['#types-filter', state.types], ['#predicates-filter', state.predicates], ['#departments-filter', state.departments]]) {
      $(box).querySelectorAll('input[type=checkbox]').forEach((c) => { c.checked = set.has(c.value); });
    }
    $('#types-count').textContent = state.types.size ? `(${state.types.size})` : '';
    $('#predicates-count').textContent = state.predicates.size ? `(${state.predicates.size})` : '';
    $('#departments-count').textContent = state.departments.size ? `(${state.departments.size})` : '';
  }

  let refetchTimer = null;
  function filtersChanged() {
    syncFilterControls();
    applyFilters();
    commit(false);
    clearTimeout(refetchTimer);
    refetchTimer = setTimeout(() => refetchExpansions().catch(fail), 350);
  }

  async function loadFilterOptions() {
    const [stats, documents] = await Promise.all([
      api('/stats').catch(() => null),
      api('/documents?limit=1000').catch(() => []),
    ]);
    const byType = (stats && stats.entities_by_type) || {};
    const total = (name) => Object.entries(byType).filter(([t]) => ancestors(t).includes(name)).reduce((a, [, n]) => a + n, 0);
    const names = classTree().filter((n) => !stats || total(n) > 0 || state.types.has(n));
    const base = names.length ? Math.min(...names.map(classDepth)) : 0;
    filterOptions.types = names.map((n) => ({ value: n, label: classLabel(n), count: stats ? total(n) : null, depth: classDepth(n) - base, swatch: swatch(n, 11) }));
    const byPredicate = (stats && stats.facts_by_predicate) || {};
    const predicates = new Set([...Object.keys(byPredicate), ...state.predicates]);
    if (!predicates.size) onto.predicates.forEach((_, name) => predicates.add(name));
    filterOptions.predicates = [...predicates].sort().map((p) => ({ value: p, label: predicateLabel(p), count: byPredicate[p] ?? null }));
    const departments = new Map();
    for (const d of documents || []) if (d.department) departments.set(d.department, (departments.get(d.department) || 0) + 1);
    for (const d of state.departments) if (!departments.has(d)) departments.set(d, null);
    filterOptions.departments = [...departments.keys()].sort().map((d) => ({ value: d, label: d, count: departments.get(d) }));
    renderFilters();
    renderLegend(stats ? Object.keys(byType) : null);
  }

  function renderLegend(typesPresent) {
    const names = classTree().filter((n) => !typesPresent || typesPresent.includes(n));
    $('#legend').replaceChildren(...names.map((n) => h('li', { title: ancestors(n).join(' › ') }, swatch(n, 14), classLabel(n))));
  }

  // ---------------------------------------------------------------- the whole view from the URL
  let restoreSeq = 0;

  let graphBuild = null; // the graph being rebuilt for lastGraphKey (a promise)

  /** Rebuild the graph for the state's expansions, hidden nodes, filters and path. */
  async function buildGraph(key) {
    cy.elements().remove();
    lastPathResult = null;
    const [neighbourhoods, pathResult] = await Promise.all([
      Promise.all(state.expand.map((e) => api(neighbourhoodUrl(e.id, e.depth)).catch((err) => { fail(err); return null; }))),
      state.path
        ? api(`/graph/paths?source=${enc(state.path.source)}&target=${enc(state.path.target)}&max_length=${state.path.max}&k=3`).catch((err) => { fail(err); return null; })
        : null,
    ]);
    if (key !== lastGraphKey) return; // a newer view took over
    const merged = { nodes: [], edges: [] };
    for (const r of [...neighbourhoods, pathResult && pathResult.elements]) {
      if (r) { merged.nodes.push(...r.nodes); merged.edges.push(...r.edges); }
    }
    if (state.entity && !merged.nodes.some((n) => n.data.id === state.entity)) {
      try {
        const d = await api(`/entities/${enc(state.entity)}?facts=0&mentions=0`);
        merged.nodes.push({ data: { id: d.id, label: d.name, type: d.type, degree: 0, departments: d.departments } });
      } catch (err) {
        fail(err);
      }
      if (key !== lastGraphKey) return;
    }
    await addElements(merged);
    markRoots();
    if (pathResult) {
      highlightPath(pathResult);
      lastPathResult = pathResult;
      const name = (id) => cy.getElementById(id).data('label') || id;
      pathCombos.from.set(state.path.source, name(state.path.source));
      pathCombos.to.set(state.path.target, name(state.path.target));
      $('#path-max').value = String(state.path.max);
    }
  }

  /** Show the view the URL describes (on load, and on back/forward or an edited hash). */
  async function restore() {
    const seq = ++restoreSeq;
    const next = parseState();
    const key = graphKey(next);
    Object.assign(state, next);
    lastHash = toHash();
    syncFilterControls();
    try {
      if (key !== lastGraphKey || !graphBuild) {
        lastGraphKey = key;
        graphBuild = buildGraph(key);
      }
      await graphBuild; // also when an earlier restore started the same graph
      if (seq !== restoreSeq) return;
      if (state.entity && cy.getElementById(state.entity).nonempty()) selectNode(state.entity);
      else cy.$(':selected').unselect();
      applyFilters();
      if (state.path && !state.entity && !state.fact && lastPathResult) renderPath(lastPathResult);
      else await renderPanel();
      if (seq !== restoreSeq) return;
      if (state.doc) await openDoc(state.doc, state.at);
      else closeDoc({ commitState: false });
    } catch (err) {
      fail(err);
    }
  }

  function clearAll() {
    Object.assign(state, { entity: null, fact: null, expand: [], hidden: new Set(), path: null, doc: null, at: null });
    lastGraphKey = graphKey(state);
    graphBuild = null;
    cy.elements().remove();
    lastPathResult = null;
    closeDoc({ commitState: false });
    applyFilters();
    commit(true);
    say('');
    renderOverview();
  }

  function pathFrom(detail) {
    pathCombos.from.set(detail.id, detail.name);
    $('#path-to').focus();
  }

  // ---------------------------------------------------------------- wiring
  const pathCombos = {};

  function wire() {
    combobox($('#search'), $('#search-list'), (hit) => openEntity(hit.id));
    pathCombos.from = combobox($('#path-from'), $('#path-from-list'), () => $('#path-to').focus());
    pathCombos.to = combobox($('#path-to'), $('#path-to-list'), () => $('#path-find').focus());
    $('#path-form').addEventListener('submit', async (evt) => {
      evt.preventDefault();
      try {
        const [source, target] = await Promise.all([pathCombos.from.resolve(), pathCombos.to.resolve()]);
        if (!source || !target) {
          say('Choose both ends of the path.', 'error');
          return;
        }
        await findPath(source, target, Number($('#path-max').value));
      } catch (err) {
        fail(err);
      }
    });
    $('#depth').addEventListener('change', (evt) => {
      state.depth = Number(evt.target.value);
      commit(false);
    });
    $('#min-confidence').addEventListener('input', (evt) => {
      state.minConfidence = Number(evt.target.value);
      filtersChanged();
    });
    $('#clear-filters').addEventListener('click', () => {
      state.types.clear();
      state.predicates.clear();
      state.departments.clear();
      state.minConfidence = 0;
      filtersChanged();
    });
    $('#btn-expand').addEventListener('click', () => expandEntity(state.entity));
    $('#btn-hide').addEventListener('click', () => hideEntity(state.entity));
    $('#btn-show-hidden').addEventListener('click', async () => {
      state.hidden.clear();
      await refetchExpansions();
      applyFilters();
      commit(true);
    });
    $('#btn-fit').addEventListener('click', () => cy.fit(undefined, 40));
    $('#btn-layout').addEventListener('click', () => runLayout());
    $('#btn-clear').addEventListener('click', clearAll);
    $('#home-link').addEventListener('click', (evt) => {
      evt.preventDefault();
      clearAll();
    });
    $('#graph').addEventListener('keydown', (evt) => {
      if (evt.target !== $('#graph')) return;
      const key = evt.key;
      if (key === 'e' || key === 'E' || key === 'Enter') expandEntity(state.entity);
      else if (key === 'Delete' || key === 'Backspace') hideEntity(state.entity);
      else if (key === 'f' || key === 'F') cy.fit(undefined, 40);
      else if (key === 'l' || key === 'L') runLayout();
      else if (key === '+' || key === '=') cy.zoom({ level: cy.zoom() * 1.2, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
      else if (key === '-') cy.zoom({ level: cy.zoom() / 1.2, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
      else return;
      evt.preventDefault();
    });
    $('#doc-view').addEventListener('keydown', (evt) => {
      if (evt.key === 'Escape') {
        evt.preventDefault();
        closeDoc({ commitState: true });
      }
    });
    const onNavigate = () => {
      if (location.hash !== lastHash && !(location.hash === '' && lastHash === '')) restore();
    };
    window.addEventListener('popstate', onNavigate);
    window.addEventListener('hashchange', onNavigate);
  }

  async function setupAsk() {
    let spec;
    try {
      spec = await api('/openapi.json');
    } catch (err) {
      return;
    }
    if (!spec || !spec.paths || !spec.paths['/ask'] || !spec.paths['/ask'].post) return;
    const form = $('#ask-form');
    form.hidden = false;
    form.addEventListener('submit', async (evt) => {
      evt.preventDefault();
      const question = $('#ask-input').value.trim();
      if (!question) return;
      const seq = ++panelSeq;
      say('Asking…');
      let answer;
      try {
        answer = await api('/ask', { body: { question, department: null, mode: 'auto' } });
      } catch (err) {
        fail(err);
        return;
      }
      if (seq !== panelSeq) return;
      say('');
      const citations = (answer && answer.citations) || [];
      setPanel(h('article', { class: 'answer-view', 'aria-labelledby': 'panel-title' },
        h('p', { class: 'kind' }, 'Answer'),
        h('h2', { id: 'panel-title' }, question),
        h('p', { class: 'answer' }, (answer && answer.answer)
          || (answer && answer.abstained ? `I don't know${answer.reason ? ` (${answer.reason})` : ''}.` : 'No answer.')),
        citations.length ? [h('h3', null, `Citations (${citations.length})`),
          h('ol', { class: 'citations' }, citations.map((c) => h('li', null,
            h('blockquote', { class: 'sentence' }, c.sentence || ''),
            h('p', { class: 'source' }, docLink(c.document_id, c.document_title,
              Number.isFinite(c.start) && Number.isFinite(c.end) ? `${c.start}-${c.end}` : null),
            c.fact_id ? [' · ', h('button', { type: 'button', class: 'link-button small', onclick: () => showFact(c.fact_id, { push: true }) }, 'fact')] : null))))]
          : null));
    });
  }

  async function main() {
    window.govkg = { state, cy: null, ready: false };
    busy(+1);
    try {
      wire();
      $('#sign-out').addEventListener('click', signOut);
      try {
        const ontology = await api('/ontology');
        for (const c of ontology.classes) onto.classes.set(c.name, c);
        for (const p of ontology.predicates) onto.predicates.set(p.name, p);
      } catch (err) {
        fail(err);
      }
      initGraph();
      renderLegend(null);
      await Promise.all([loadFilterOptions().catch(fail), setupAsk(), restore()]);
    } finally {
      window.govkg.ready = true;
      document.documentElement.dataset.ready = 'true';
      busy(-1);
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main);
  else main();
})();
