// Progressive enhancement only: every form works without this file.
document.querySelectorAll('[data-copy]').forEach(function (b) {
  b.addEventListener('click', function () {
    var field = document.getElementById(b.dataset.copy);
    field.select();
    if (navigator.clipboard) { navigator.clipboard.writeText(field.value); } else { document.execCommand('copy'); }
  });
});
document.querySelectorAll('[data-toggle]').forEach(function (box) {
  box.addEventListener('change', function () {
    document.getElementById(box.dataset.toggle).type = box.checked ? 'text' : 'password';
  });
});
