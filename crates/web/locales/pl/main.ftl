app-name = allegro-bridge
nav-accounts = Konta Allegro
nav-connections = Połączenia
nav-logout = Wyloguj
lang-switch = English
lang-code = pl

login-title = Zaloguj się
login-email = E-mail
login-password = Hasło
login-submit = Zaloguj się
login-failed = Nieprawidłowy e-mail lub hasło.

setup-title = Pierwsze uruchomienie
setup-intro = Utwórz organizację i pierwszego użytkownika. Później zalogujesz się tym e-mailem i hasłem.
setup-organisation = Nazwa firmy
setup-email = E-mail
setup-password = Hasło (co najmniej 10 znaków)
setup-submit = Utwórz

accounts-title = Konta Allegro
accounts-intro = Kliknij „Połącz konto Allegro”, aby powiązać swoje konto Allegro. Zostaniesz przeniesiony na stronę logowania Allegro, a po zalogowaniu wrócisz tutaj.
accounts-none = Nie masz jeszcze połączonych kont.
col-lp = Lp.
col-login = Login
col-status = Status
col-last-sync = Ostatnia synchronizacja
col-actions = Akcje
status-active = Aktywne
status-needs_relogin = Wymaga ponownego logowania
status-disconnected = Odłączone
never = nigdy
banner-relogin = Jedno z Twoich kont wymaga ponownego logowania. Kliknij przycisk z kluczykiem przy koncie, aby zalogować je ponownie.
relogin-causes = Allegro unieważnia powiązanie po zmianie hasła lub adresu e-mail, po „wylogowaniu ze wszystkich urządzeń”, po blokadzie sprzedaży oraz po 3 miesiącach bez aktywności.
relink = Zaloguj ponownie
settings = Ustawienia
disconnect = Odłącz
connect-allegro = Połącz konto Allegro
connect-via = Połącz przez: { $connection }
at-risk = Powiązanie wygasa wkrótce — odśwież je, zanim minie 3 miesiące.
reason-revoked = Allegro cofnęło dostęp (zmiana hasła, wylogowanie ze wszystkich urządzeń lub blokada sprzedaży).
reason-refresh_invalid = Token odświeżania wygasł lub został unieważniony.
missing-scopes = Brakuje uprawnień: { $scopes }

connections-title = Połączenia
connections-none = Nie masz jeszcze połączenia. Dodaj własną aplikację albo skorzystaj z aplikacji operatora.
connection-new = Dodaj połączenie
connection-mode = Rodzaj
mode-own_app = Własna aplikacja
mode-service_app = Aplikacja operatora
connection-environment = Środowisko
env-production = Allegro (produkcja)
env-sandbox = Allegro Sandbox
env-custom = Własne adresy (np. emulator)
auth-url = Adres logowania (auth)
api-url = Adres API
connection-create = Utwórz
connection-title = Połączenie
credentials-missing = Brak Client ID i Client Secret — wykonaj kroki poniżej.
credentials-ok = Dane aplikacji zapisane. Możesz połączyć konto.

guide-title = Jak zarejestrować aplikację w Allegro
guide-step-1 = Sprawdź, czy w Twoim koncie Allegro jest włączone dwustopniowe logowanie — bez niego Allegro nie pozwoli zarejestrować aplikacji.
guide-step-2 = Otwórz portal deweloperski Allegro ({ $portal }) i kliknij „Zarejestruj aplikację”.
guide-step-3 = Wpisz nazwę aplikacji, np. „{ $name }”, i wybierz rodzaj „Aplikacja ma dostęp do przeglądarki, w której użytkownik loguje się do Allegro” (authorization_code).
guide-step-4 = W polu „Adresy URI do przekierowania” wklej adres poniżej.
guide-step-5 = W sekcji „Uprawnienia aplikacji” zaznacz uprawnienia z listy poniżej, zaakceptuj regulamin REST API Allegro i kliknij „Zarejestruj”.
guide-step-6 = Otwórz „Szczegóły” aplikacji, skopiuj CLIENT ID, kliknij „POKAŻ” przy CLIENT SECRET i wklej oba w pola poniżej. Kliknij „Zapisz”.
redirect-uri = Adres URI do przekierowania
copy = Kopiuj
scopes-to-tick = Uprawnienia do zaznaczenia
client-id = Client ID
client-secret = Client Secret
show = Pokaż
save = Zapisz
saved = Zapisano.

link-title = Powiązanie konta
link-ok = Konto { $login } zostało powiązane.
link-updated = Konto { $login } zostało ponownie zalogowane.
link-missing = Nie zaznaczono wszystkich potrzebnych uprawnień. Brakuje: { $scopes }. Dodaj je w portalu deweloperskim Allegro (Szczegóły aplikacji → Uprawnienia) i połącz konto ponownie.
link-cancelled = Anulowano powiązanie konta („Nie, anuluj”). Nic nie zostało zmienione.
link-state-Unknown = Link powiązania jest nieprawidłowy. Zacznij od przycisku „Połącz konto Allegro”.
link-state-Used = Ten link powiązania został już użyty. Zacznij od przycisku „Połącz konto Allegro”.
link-state-Expired = Link powiązania wygasł. Zacznij od przycisku „Połącz konto Allegro”.
link-state-Mismatch = Link powiązania pochodzi z innej sesji przeglądarki. Zacznij od przycisku „Połącz konto Allegro”.
link-code-expired = Kod z Allegro wygasł lub został już użyty. Spróbuj połączyć konto jeszcze raz.
link-wrong-user = Zalogowano się w Allegro jako { $got }, a to konto należy do { $expected }. Nic nie zostało zmienione. Na stronie Allegro kliknij „Zmień konto” i zaloguj się jako { $expected }.
link-failed = Allegro nie pozwoliło powiązać konta: { $message }
link-failed-bad_client = Allegro nie przyjęło Client ID lub Client Secret tego połączenia. Sprawdź je w szczegółach aplikacji.
link-failed-no_refresh_token = Allegro nie zwróciło tokenu odświeżania.
link-failed-user_mismatch = token należy do innego użytkownika niż ten, którego zwraca /me.
back-to-accounts = Wróć do kont

disconnect-title = Odłączyć konto { $login }?
disconnect-warning = Uwaga! Jeśli odłączysz konto w Allegro, to nie będziemy mogli zaktualizować listów przewozowych zaimportowanych zamówień ani wysyłać faktur. Historia zamówień zostanie zachowana.
disconnect-confirm = Tak, odłącz
cancel = Anuluj

settings-title = Ustawienia konta { $login }
settings-enabled = Włącz
settings-vat-goods = Domyślna stawka VAT dla produktów
settings-vat-delivery = Domyślna stawka VAT dla dostawy
settings-trigger = Status zamówienia, po którym wystawiamy fakturę
settings-series = Seria numeracji faktur
settings-series-hint = Np. FV/{"{"}n{"}"}/{"{"}MM{"}"}/{"{"}YYYY{"}"} — {"{"}n{"}"} to kolejny numer.
trigger-READY_FOR_PROCESSING = Opłacone
trigger-PROCESSING = W realizacji
trigger-READY_FOR_SHIPMENT = Gotowe do wysyłki
trigger-SENT = Wysłane
trigger-PICKED_UP = Odebrane

error-title = Błąd
error-not-found = Nie znaleziono strony.
error-generic = Coś poszło nie tak. Spróbuj ponownie za chwilę.
error-conflict = Ta zmiana koliduje z istniejącymi danymi (np. taki e-mail już istnieje).
error-csrf = Formularz wygasł. Odśwież stronę i spróbuj ponownie.
error-field = { $field }: { $message }

nav-orders = Zamówienia
orders-title = Zamówienia
orders-any = dowolny
orders-buyer = Kupujący
orders-from = Data zakupu od
orders-to = do
orders-filter = Pokaż
orders-bought = Data zakupu
orders-fulfillment = Realizacja
orders-total = Kwota
orders-count = { $count ->
    [one] { $count } zamówienie
    [few] { $count } zamówienia
   *[many] { $count } zamówień
}
orders-prev = Poprzednie
orders-next = Następne
order-title = Zamówienie
order-delivery = Dostawa
order-lines = Pozycje
order-offer = Oferta
order-quantity = Ilość
order-price = Cena
order-status-BOUGHT = Kupione
order-status-FILLED_IN = Czeka na płatność
order-status-READY_FOR_PROCESSING = Opłacone
order-status-CANCELLED = Anulowane
