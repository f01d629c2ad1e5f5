// Kit reads its App.* types from here; Locals will carry the signed-in session once sign-in lands.
declare global {
  namespace App {}
}

export {};
