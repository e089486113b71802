// Progressive enhancement only: every form works without this file.
// A file upload carries its CSRF token in the form's address (the body is the file);
// once the answer is on screen, take the token out of the address bar and the history.
if (/[?&]_csrf=/.test(location.search)) {
  history.replaceState(null, '', location.pathname.replace(/\/(file|waybills)$/, '') + location.hash);
}
document.querySelectorAll('[data-copy]').forEach(function (b) {
  b.addEventListener('click', function () {
    var field = document.getElementById(b.dataset.copy);
    field.select();
    if (navigator.clipboard) { navigator.clipboard.writeText(field.value); } else { document.execCommand('copy'); }
    // Say it was copied (the words come from the page, in the seller's language).
    var label = b.dataset.label || b.textContent;
    b.dataset.label = label;
    b.textContent = b.dataset.copied || label;
    b.classList.add('copied');
    setTimeout(function () { b.textContent = label; b.classList.remove('copied'); }, 2000);
  });
});
document.querySelectorAll('[data-toggle]').forEach(function (box) {
  box.addEventListener('change', function () {
    document.getElementById(box.dataset.toggle).type = box.checked ? 'text' : 'password';
  });
});
